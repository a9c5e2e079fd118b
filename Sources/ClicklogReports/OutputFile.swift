#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file written through one reused buffer, flushed with `write(2)` when it passes
/// `flushThreshold` (1 MiB: few system calls, bounded memory). Written to `PATH.partial` and
/// renamed over `PATH` by `finish()`, so a failed export never leaves half a file under the
/// final name. `-` writes to standard output instead (no rename).
final class OutputFile {
    private let fd: Int32
    private let path: String
    /// `nil` for standard output, and once `finish()` renamed the file.
    private var partialPath: String?
    var buffer: [UInt8] = []
    private let flushThreshold = 1 << 20

    init(path: String) throws {
        self.path = path
        if path == "-" {
            fd = STDOUT_FILENO
            partialPath = nil
        } else {
            let partial = path + ".partial"
            let fd = open(partial, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw ReportError.io("cannot create \(partial): \(String(cString: strerror(errno)))") }
            self.fd = fd
            partialPath = partial
        }
        buffer.reserveCapacity(flushThreshold + 64 * 1024)
    }

    deinit {
        if let partialPath {
            close(fd)
            unlink(partialPath)
        }
    }

    /// Flushes when the buffer is full; call after each row.
    @inline(__always)
    func rowDone() throws {
        if buffer.count >= flushThreshold { try flush() }
    }

    func flush() throws {
        var written = 0
        try buffer.withUnsafeBytes { bytes in
            while written < bytes.count {
                let n = write(fd, bytes.baseAddress! + written, bytes.count - written)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw ReportError.io("cannot write \(path): \(String(cString: strerror(errno)))")
                }
                written += n
            }
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Flushes, syncs and renames the partial file to its final name.
    func finish() throws {
        try flush()
        guard let partialPath else { return }
        guard fsync(fd) == 0, close(fd) == 0 else {
            throw ReportError.io("cannot write \(path): \(String(cString: strerror(errno)))")
        }
        guard rename(partialPath, path) == 0 else {
            throw ReportError.io("cannot rename \(partialPath) to \(path): \(String(cString: strerror(errno)))")
        }
        self.partialPath = nil  // closed and renamed: deinit must not touch them again
    }
}
