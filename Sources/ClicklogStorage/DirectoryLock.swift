#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The writer's exclusive lock on a data directory: `flock(LOCK_EX | LOCK_NB)` on `LOCK`.
///
/// `flock` locks belong to the open file description, so a second `LogWriter` in the same
/// process is refused just like one in another process, and the kernel releases the lock when
/// the process dies (no stale lock after kill -9). The file holds the holder's pid, for the
/// error message only. Readers never take it.
final class DirectoryLock {
    let path: String
    private let fd: Int32

    /// Takes the lock or throws `.locked` at once (never waits).
    init(path: String) throws {
        self.path = path
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw StorageError.io("open lock file", path: path, errno: errno) }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let code = errno
            var buffer = [UInt8](repeating: 0, count: 32)
            let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, 32, 0) }
            close(fd)
            guard code == EWOULDBLOCK else { throw StorageError.io("flock", path: path, errno: code) }
            let pid = n > 0 ? String(decoding: buffer[0..<n], as: UTF8.self).trimmingNewline : ""
            throw StorageError.locked(path: path, holder: pid.isEmpty ? "" : "pid \(pid)")
        }
        self.fd = fd
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(fd, 0)
        _ = pid.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
    }

    deinit {
        flock(fd, LOCK_UN)
        close(fd)
    }

    /// Whether some process holds the lock on `path` right now (tries it and lets go at once).
    static func isHeld(path: String) -> Bool {
        guard fileExists(path) else { return false }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 { return errno == EWOULDBLOCK }
        flock(fd, LOCK_UN)
        return false
    }
}

extension String {
    fileprivate var trimmingNewline: String {
        var s = self
        while s.last == "\n" || s.last == "\r" || s.last == " " { s.removeLast() }
        return s
    }
}
