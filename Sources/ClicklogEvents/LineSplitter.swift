/// Splits a byte stream into lines incrementally: feed it chunks as they are read, and it
/// hands out each complete line (without its `\n` or `\r\n`) with its 1-based number.
///
/// A line longer than `maxLineBytes` is not buffered: its bytes are skipped up to the next
/// newline and it is reported once as `.tooLong`, so one hostile line cannot take the
/// importer's memory.
public struct LineSplitter {
    public enum Line {
        /// A complete line; the bytes are valid only during the callback.
        case line(UnsafeRawBufferPointer, number: Int)
        /// A line over the limit, with the bytes it had.
        case tooLong(number: Int, bytes: Int)
    }

    public let maxLineBytes: Int
    private var pending: [UInt8] = []
    private var skipping = false
    private var skippedBytes = 0
    private var lineNumber = 0

    /// Lines handed out so far, including over-long ones.
    public var linesSeen: Int { lineNumber }

    public init(maxLineBytes: Int) {
        self.maxLineBytes = maxLineBytes
    }

    /// Calls `body` for every line completed by `chunk`.
    public mutating func feed(_ chunk: UnsafeRawBufferPointer, _ body: (Line) throws -> Void) rethrows {
        guard let base = chunk.baseAddress else { return }
        var start = 0
        while start < chunk.count {
            let rest = chunk.count - start
            guard let hit = memchr(base + start, 0x0A, rest) else {
                append(UnsafeRawBufferPointer(start: base + start, count: rest))
                return
            }
            let end = base.distance(to: UnsafeRawPointer(hit))
            let piece = UnsafeRawBufferPointer(start: base + start, count: end - start)
            start = end + 1
            lineNumber += 1
            if skipping {
                let total = skippedBytes + piece.count
                skipping = false
                skippedBytes = 0
                try body(.tooLong(number: lineNumber, bytes: total))
            } else if pending.isEmpty {
                if piece.count > maxLineBytes {
                    try body(.tooLong(number: lineNumber, bytes: piece.count))
                } else {
                    try body(.line(LineSplitter.trimmingCR(piece), number: lineNumber))
                }
            } else {
                append(piece)
                if skipping {
                    let total = skippedBytes
                    skipping = false
                    skippedBytes = 0
                    try body(.tooLong(number: lineNumber, bytes: total))
                } else {
                    try pending.withUnsafeBytes { try body(.line(LineSplitter.trimmingCR($0), number: lineNumber)) }
                    pending.removeAll(keepingCapacity: true)
                }
            }
        }
    }

    /// Reports the last line when the input does not end with a newline.
    public mutating func finish(_ body: (Line) throws -> Void) rethrows {
        if skipping {
            lineNumber += 1
            try body(.tooLong(number: lineNumber, bytes: skippedBytes))
        } else if !pending.isEmpty {
            lineNumber += 1
            try pending.withUnsafeBytes { try body(.line(LineSplitter.trimmingCR($0), number: lineNumber)) }
        }
        pending.removeAll()
        skipping = false
        skippedBytes = 0
    }

    private mutating func append(_ bytes: UnsafeRawBufferPointer) {
        if skipping {
            skippedBytes += bytes.count
        } else if pending.count + bytes.count > maxLineBytes {
            skipping = true
            skippedBytes = pending.count + bytes.count
            pending.removeAll(keepingCapacity: true)
        } else {
            pending.append(contentsOf: bytes)
        }
    }

    private static func trimmingCR(_ line: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        guard let last = line.last, last == 0x0D else { return line }
        return UnsafeRawBufferPointer(rebasing: line.dropLast())
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
