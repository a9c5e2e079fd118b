import ClicklogEvents
import ClicklogStorage
import Dispatch
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Loads a JSONL file (one event or batch message per line) through the same parser and log
/// writer as the server.
///
/// The file is cut into chunks at line boundaries and the chunks are parsed and encoded as
/// blocks on all cores; a single writer then takes them in file order, drops duplicate ids
/// (the first occurrence in file order wins, as it would over the wire), and appends each
/// chunk as one block with `commit`, so an interrupted import leaves whole blocks only and a re-run skips what was
/// stored (by id). Memory is bounded by the chunks in flight: `(workers + 2) × chunkBytes`
/// of input plus their parsed columns.
public struct JSONLImporter {
    public struct Options: Sendable {
        public var site = "demo"
        public var limits = EventLimits()
        /// Input bytes per chunk, and so roughly per block: 8 MiB is ~27k typical events, large
        /// enough for the column codecs and zstd to find their patterns. Measured on 1M
        /// generated events (2 cores): 16 MiB took 2.5 s of CPU and 27.5 bytes/event, 8 MiB
        /// 1.8 s and 28.0 (the encoders' tables stay in cache, and the last chunk is a smaller
        /// tail), 4 MiB 1.9 s and 28.6.
        public var chunkBytes = 8 << 20
        public var workers = max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN)))

        public init() {}
    }

    public var options: Options

    public init(options: Options = Options()) {
        self.options = options
    }

    /// Imports from `fd` until end of file; `progress` is called on the writer's thread with
    /// the input bytes consumed so far.
    public func run(
        fd: Int32, writer: LogWriter, quarantine: Quarantine, deduplication: inout DeduplicationWindow,
        progress: @escaping @Sendable (Int) -> Void = { _ in }
    ) throws -> ImportSummary {
        let state = WriterState(writer: writer, quarantine: quarantine, deduplication: deduplication, progress: progress)
        let receivedAt = Clock.microseconds()
        let enrichment = Enrichment(receivedAt: receivedAt, site: options.site)
        let now = receivedAt / 1000
        let limits = options.limits
        let compression = writer.options.compression
        let parseQueue = DispatchQueue(label: "clicklog.import.parse", attributes: .concurrent)
        let writerQueue = DispatchQueue(label: "clicklog.import.write")
        let slots = DispatchSemaphore(value: options.workers + 2)
        let done = DispatchGroup()

        var carry: [UInt8] = []
        var sequence = 0
        var readError: Int32 = 0
        while !state.failed {
            var chunk = carry
            carry = []
            let want = options.chunkBytes
            let before = chunk.count
            chunk.reserveCapacity(before + want)
            chunk.append(contentsOf: repeatElement(0, count: want))
            let got = chunk.withUnsafeMutableBytes { readFully(fd, $0.baseAddress! + before, want) }
            if got < 0 {
                readError = errno
                break
            }
            chunk.removeLast(want - got)
            let atEnd = got == 0
            if !atEnd, let lastNewline = chunk.lastIndex(of: 0x0A) {
                carry = Array(chunk[(lastNewline + 1)...])
                chunk.removeLast(chunk.count - lastNewline - 1)
            } else if !atEnd {
                carry = chunk  // no newline yet: a long line; read more before parsing
                continue
            }
            if chunk.isEmpty && atEnd { break }
            slots.wait()
            let seq = sequence
            sequence += 1
            let input = chunk
            done.enter()
            parseQueue.async {
                var chunk = input.withUnsafeBytes {
                    ParsedChunk.parse($0, firstLine: 1, limits: limits, now: now, enrichment: enrichment)
                }
                chunk.encode(compression: compression)
                let parsed = chunk
                writerQueue.async {
                    state.deliver(parsed, sequence: seq)
                    slots.signal()
                    done.leave()
                }
            }
            if atEnd { break }
        }
        done.wait()
        deduplication = state.deduplication
        if let error = state.error { throw error }
        if readError != 0 { throw ImportError.read(errno: readError) }
        try quarantine.sync()
        return state.summary
    }

    private func readFully(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
        var total = 0
        while total < count {
            let n = read(fd, buffer + total, count - total)
            if n < 0 {
                if errno == EINTR { continue }
                return -1
            }
            if n == 0 { break }
            total += n
        }
        return total
    }
}

/// Why an import stopped.
public struct ImportError: Error, CustomStringConvertible {
    public var description: String

    static func read(errno: Int32) -> ImportError {
        ImportError(description: "cannot read the input: \(String(cString: strerror(errno)))")
    }
}

/// The writer's side of an import: the log, the quarantine and the duplicate window, used
/// only on the importer's serial writer queue. `@unchecked Sendable` because that queue, not
/// the type system, keeps it confined: every access is in `deliver`, which runs on it.
private final class WriterState: @unchecked Sendable {
    let writer: LogWriter
    let quarantine: Quarantine
    var deduplication: DeduplicationWindow
    let progress: @Sendable (Int) -> Void
    var summary = ImportSummary()
    var error: (any Error)?
    var next = 0
    var waiting: [Int: ParsedChunk] = [:]
    private let failure = Atomic<Bool>(false)

    init(writer: LogWriter, quarantine: Quarantine, deduplication: DeduplicationWindow, progress: @escaping @Sendable (Int) -> Void) {
        self.writer = writer
        self.quarantine = quarantine
        self.deduplication = deduplication
        self.progress = progress
    }

    /// Read from the reading thread to stop early after a write failed.
    var failed: Bool { failure.load(ordering: .relaxed) }

    /// Takes a parsed chunk and writes every chunk that is next in file order.
    func deliver(_ chunk: ParsedChunk, sequence: Int) {
        waiting[sequence] = chunk
        while let ready = waiting.removeValue(forKey: next) {
            next += 1
            guard error == nil else { continue }
            do {
                try write(ready)
            } catch {
                self.error = error
                failure.store(true, ordering: .relaxed)
            }
        }
    }

    private func write(_ chunk: ParsedChunk) throws {
        var chunk = chunk
        let firstLine = summary.lines
        for refusal in chunk.refusals {
            try quarantine.append(refusal.raw, reason: "line \(firstLine + refusal.line): \(refusal.reason)")
        }
        // First occurrence in file order wins. Ids are remembered before the block is durable:
        // a failed write ends the import, and the next run reloads the window from the log.
        var duplicates = 0
        var keep: [Bool] = []  // stays empty, and costs nothing, while there is no duplicate
        let receivedAt = chunk.batch.count > 0 ? chunk.batch.receivedAt[0] : 0
        let rows = chunk.batch.count
        deduplication.admitCommitted(hashes: chunk.idHashes, receivedAt: receivedAt) { i in
            if keep.isEmpty { keep = Array(repeating: true, count: rows) }
            keep[Int(chunk.idRows[i])] = false
            duplicates += 1
        }
        if !keep.isEmpty { chunk.batch.filterRows(from: 0) { keep[$0] } }
        chunk.summary.duplicates = duplicates
        chunk.summary.accepted -= duplicates
        if chunk.batch.count > 0 {
            if duplicates == 0, let block = chunk.encoded {
                _ = try writer.append(block)
            } else {
                _ = try writer.append(chunk.batch)
            }
            try writer.commit()
            chunk.summary.blocks = 1
        }
        summary.add(chunk.summary)
        progress(summary.bytes)
    }
}
