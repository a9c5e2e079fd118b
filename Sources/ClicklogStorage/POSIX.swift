#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Musl)
@preconcurrency import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Thin wrappers over the system calls the storage engine uses, turning `-1`/`errno` into
/// `StorageError` and retrying `EINTR`. Everything durable goes through here.
let ENOSPC_CODE = ENOSPC

func errnoDescription(_ code: Int32) -> String {
    guard let s = strerror(code) else { return "errno \(code)" }
    return String(cString: s) + " (errno \(code))"
}

/// An open file descriptor, closed when the last reference goes away. Immutable, so it can be
/// shared by reader threads: `pread` and `pwrite` do not move a shared file position.
final class PosixFile: Sendable {
    let fd: Int32
    let path: String

    enum Mode { case readOnly, readWrite, createReadWrite }

    init(path: String, mode: Mode) throws {
        let flags: Int32
        switch mode {
        case .readOnly: flags = O_RDONLY | O_CLOEXEC
        case .readWrite: flags = O_RDWR | O_CLOEXEC
        case .createReadWrite: flags = O_RDWR | O_CREAT | O_CLOEXEC
        }
        var fd: Int32
        repeat { fd = open(path, flags, 0o644) } while fd < 0 && errno == EINTR
        guard fd >= 0 else { throw StorageError.io("open", path: path, errno: errno) }
        self.fd = fd
        self.path = path
    }

    deinit { close(fd) }

    func size() throws -> Int {
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw StorageError.io("fstat", path: path, errno: errno) }
        return Int(st.st_size)
    }

    /// Reads up to `count` bytes at `offset` into `buffer` (from its start); returns how many
    /// were read, fewer only at the end of the file.
    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) throws -> Int {
        var done = 0
        while done < buffer.count {
            let n = pread(fd, buffer.baseAddress! + done, buffer.count - done, off_t(offset + done))
            if n < 0 {
                if errno == EINTR { continue }
                throw StorageError.io("read", path: path, errno: errno)
            }
            if n == 0 { break }
            done += n
        }
        return done
    }

    /// Reads exactly `count` bytes at `offset`, appending them to `out`.
    func readExactly(_ count: Int, at offset: Int, appendingTo out: inout [UInt8]) throws {
        let start = out.count
        out.appendZeros(count)
        let got = try out.withUnsafeMutableBytes {
            try read(into: UnsafeMutableRawBufferPointer(rebasing: $0[start..<(start + count)]), at: offset)
        }
        if got != count {
            out.removeLast(count)
            throw StorageError.shortRead(path: path, offset: offset, wanted: count, got: got)
        }
    }

    func write(_ bytes: UnsafeRawBufferPointer, at offset: Int) throws {
        var done = 0
        while done < bytes.count {
            let n = pwrite(fd, bytes.baseAddress! + done, bytes.count - done, off_t(offset + done))
            if n < 0 {
                if errno == EINTR { continue }
                throw StorageError.io("write", path: path, errno: errno)
            }
            done += n
        }
    }

    func sync() throws {
        var r: Int32
        repeat { r = fsync(fd) } while r != 0 && errno == EINTR
        guard r == 0 else { throw StorageError.io("fsync", path: path, errno: errno) }
    }

    func truncate(to length: Int) throws {
        var r: Int32
        repeat { r = ftruncate(fd, off_t(length)) } while r != 0 && errno == EINTR
        guard r == 0 else { throw StorageError.io("truncate", path: path, errno: errno) }
    }
}

/// fsyncs a directory, which makes the creation, removal or renaming of its entries durable.
func syncDirectory(_ path: String) throws {
    let fd = open(path, O_RDONLY | O_CLOEXEC | O_DIRECTORY)
    guard fd >= 0 else { throw StorageError.io("open directory", path: path, errno: errno) }
    defer { close(fd) }
    var r: Int32
    repeat { r = fsync(fd) } while r != 0 && errno == EINTR
    guard r == 0 else { throw StorageError.io("fsync directory", path: path, errno: errno) }
}

func fileExists(_ path: String) -> Bool {
    var st = stat()
    return stat(path, &st) == 0
}

func isDirectory(_ path: String) -> Bool {
    var st = stat()
    return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
}

/// Creates `path` (and its parent when missing) as a directory; an existing one is fine.
func makeDirectory(_ path: String) throws {
    if isDirectory(path) { return }
    let parent = parentDirectory(of: path)
    if !parent.isEmpty, parent != path, !isDirectory(parent) { try makeDirectory(parent) }
    if mkdir(path, 0o755) != 0 && errno != EEXIST {
        throw StorageError.io("mkdir", path: path, errno: errno)
    }
    if !parent.isEmpty { try syncDirectory(parent) }
}

func parentDirectory(of path: String) -> String {
    var p = path
    while p.count > 1 && p.hasSuffix("/") { p.removeLast() }
    guard let slash = p.lastIndex(of: "/") else { return "." }
    return slash == p.startIndex ? "/" : String(p[..<slash])
}

/// The names in a directory, unsorted; `.` and `..` left out.
func listDirectory(_ path: String) throws -> [String] {
    guard let dir = opendir(path) else { throw StorageError.io("opendir", path: path, errno: errno) }
    defer { closedir(dir) }
    var names: [String] = []
    while let entry = readdir(dir) {
        let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
            String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
        if name != "." && name != ".." { names.append(name) }
    }
    return names
}

func removeFile(_ path: String) throws {
    guard unlink(path) == 0 || errno == ENOENT else { throw StorageError.io("unlink", path: path, errno: errno) }
}

/// Current wall-clock time in epoch microseconds.
func nowMicros() -> Int64 {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    return Int64(ts.tv_sec) * 1_000_000 + Int64(ts.tv_nsec) / 1000
}

func joinPath(_ a: String, _ b: String) -> String { a.hasSuffix("/") ? a + b : a + "/" + b }
