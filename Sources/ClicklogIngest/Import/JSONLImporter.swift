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
/// (the first occurrence in file order wins, as it would over the wire), appends each chunk
/// as one block and commits every `commitBytes` of input and at the end, so an interrupted
/// import leaves whole blocks only and a re-run skips what was stored (by id). Memory is bounded by the chunks in flight,
/// `workers + 2` of them: their parsed columns and encoded blocks, and for a pipe their input
/// (a regular file is mapped instead, so its bytes stay in the page cache). A written chunk's
/// buffers go back to the parsing tasks (`Recycler`), as do parsers and encoders, so there
/// are never more of them than were in flight at once, and their memory stays warm.
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
        /// Input bytes between commits (fsync, then the catalog). A commit per 8 MiB chunk
        /// spent 0.64 s waiting on fsync for 1M generated events, as long as their whole parse
        /// on one core; 64 MiB (about 200k typical events) takes 5 commits for them. Blocks
        /// written and not yet committed when the process dies are whole and valid, and the
        /// next writer's recovery lists them; a power loss can lose at most this much input,
        /// which a re-run imports again.
        public var commitBytes = 64 << 20

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
        let receivedAt = Clock.microseconds()
        let enrichment = Enrichment(receivedAt: receivedAt, site: options.site)
        let now = receivedAt / 1000
        let limits = options.limits
        let compression = writer.options.compression
        let parseQueue = DispatchQueue(label: "clicklog.import.parse", attributes: .concurrent)
        let writerQueue = DispatchQueue(label: "clicklog.import.write")
        let slots = DispatchSemaphore(value: options.workers + 2)
        let done = DispatchGroup()

        // Columns, block buffers, parsers and encoders are reused from chunk to chunk.
        let chunks = Recycler { ParsedChunk() }
        let workspaces = Recycler { ChunkWorkspace(parser: MessageParser(limits: limits), encoder: BlockEncoder(compression: compression)) }
        let state = WriterState(
            writer: writer, quarantine: quarantine, deduplication: deduplication, chunks: chunks,
            commitBytes: options.commitBytes, progress: progress)

        var sequence = 0
        func dispatch(_ input: ChunkInput) {
            slots.wait()
            let seq = sequence
            sequence += 1
            done.enter()
            parseQueue.async {
                var workspace = workspaces.take()
                var chunk = chunks.take()
                chunk.reset(reservingFor: input.count)
                input.withBytes {
                    chunk.parse($0, firstLine: 1, parser: &workspace.parser, now: now, enrichment: enrichment)
                }
                chunk.encode(with: workspace.encoder)
                workspaces.give(workspace)
                let handOff = HandOff(consume chunk)
                writerQueue.async {
                    state.deliver(handOff.take(), sequence: seq)
                    slots.signal()
                    done.leave()
                }
            }
        }

        var readError: Int32 = 0
        let mapping = MappedFile(fd: fd)
        if let mapping {
            // A regular file is cut in place: each chunk ends at the last newline before the
            // chunk size (or, for a longer line, at the next newline), and nothing is copied.
            let bytes = mapping.bytes
            var start = 0
            while start < bytes.count && !state.failed {
                var end = min(start + options.chunkBytes, bytes.count)
                if end < bytes.count {
                    let window = UnsafeRawBufferPointer(rebasing: bytes[start..<end])
                    if let newline = window.lastIndex(of: 0x0A) {
                        end = start + newline + 1
                    } else {
                        let rest = UnsafeRawBufferPointer(rebasing: bytes[end...])
                        end = rest.firstIndex(of: 0x0A).map { end + $0 + 1 } ?? bytes.count
                    }
                }
                dispatch(ChunkInput(mapped: UnsafeRawBufferPointer(rebasing: bytes[start..<end])))
                start = end
            }
        } else {
            var carry: [UInt8] = []
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
                dispatch(ChunkInput(owned: chunk))
                if atEnd { break }
            }
        }
        done.wait()
        withExtendedLifetime(mapping) {}
        // Every writer task has run (`done`), so the state is this thread's now.
        state.finish()
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

/// A parser and an encoder, used by one parsing task at a time (see `Recycler`).
private struct ChunkWorkspace {
    var parser: MessageParser
    let encoder: BlockEncoder
}

/// Moves a parsed chunk from its parsing task to the writer's queue without a second
/// reference staying behind in the parsing task, so that the writer's is the only one and
/// the chunk's buffers can be reused in place once it is written.
private final class HandOff: @unchecked Sendable {
    private var chunk: ParsedChunk?

    init(_ chunk: consuming ParsedChunk) {
        self.chunk = chunk
    }

    /// The chunk; called once, on the writer's queue.
    func take() -> ParsedChunk {
        chunk.take()!
    }
}

/// One chunk's input: bytes read into an array, or a slice of a `MappedFile` that outlives
/// every chunk (the importer unmaps only after the last one is written).
private struct ChunkInput: @unchecked Sendable {
    var owned: [UInt8] = []
    var mapped: UnsafeRawBufferPointer?

    var count: Int { mapped?.count ?? owned.count }

    func withBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        if let mapped { return try body(mapped) }
        return try owned.withUnsafeBytes(body)
    }
}

/// A regular file mapped read-only, so that the parsers read the page cache directly instead
/// of a copy of it in buffers that were zero-filled first. Nil for pipes, empty files, a
/// descriptor not at offset 0, and anything `mmap` refuses (the importer then reads).
/// The mapping covers the file's size at the start, so a file that keeps growing is imported
/// up to that point; one that another process truncates during the import would fault.
private final class MappedFile {
    let bytes: UnsafeRawBufferPointer

    init?(fd: Int32) {
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, info.st_size > 0,
            lseek(fd, 0, SEEK_CUR) == 0
        else { return nil }
        let size = Int(info.st_size)
        guard let base = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), base != MAP_FAILED else { return nil }
        _ = madvise(base, size, MADV_SEQUENTIAL)
        bytes = UnsafeRawBufferPointer(start: base, count: size)
    }

    deinit {
        munmap(UnsafeMutableRawPointer(mutating: bytes.baseAddress), bytes.count)
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
    /// Where written chunks go back for reuse.
    let chunks: Recycler<ParsedChunk>
    let commitBytes: Int
    /// Input bytes of the blocks appended since the last commit.
    private var uncommitted = 0
    private let failure = Atomic<Bool>(false)

    init(
        writer: LogWriter, quarantine: Quarantine, deduplication: DeduplicationWindow, chunks: Recycler<ParsedChunk>,
        commitBytes: Int, progress: @escaping @Sendable (Int) -> Void
    ) {
        self.writer = writer
        self.quarantine = quarantine
        self.deduplication = deduplication
        self.chunks = chunks
        self.commitBytes = commitBytes
        self.progress = progress
    }

    /// Commits the blocks appended since the last commit, after the last chunk. After a
    /// failure it still tries, so that the blocks written before it are listed.
    func finish() {
        guard uncommitted > 0 else { return }
        uncommitted = 0
        do {
            try writer.commit()
        } catch {
            if self.error == nil { self.error = error }
        }
    }

    /// Read from the reading thread to stop early after a write failed.
    var failed: Bool { failure.load(ordering: .relaxed) }

    /// Takes a parsed chunk and writes every chunk that is next in file order.
    func deliver(_ chunk: ParsedChunk, sequence: Int) {
        waiting[sequence] = chunk
        while true {
            guard var ready = waiting.removeValue(forKey: next) else { break }
            next += 1
            guard error == nil else { continue }
            do {
                try write(&ready)
            } catch {
                self.error = error
                failure.store(true, ordering: .relaxed)
            }
            chunks.give(consume ready)
        }
    }

    private func write(_ chunk: inout ParsedChunk) throws {
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
        deduplication.admitCommitted(hashes: chunk.ids.hashes, receivedAt: receivedAt) { i in
            if keep.isEmpty { keep = Array(repeating: true, count: rows) }
            keep[Int(chunk.ids.rows[i])] = false
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
            chunk.summary.blocks = 1
            uncommitted += chunk.summary.bytes
            if uncommitted >= commitBytes {
                uncommitted = 0
                try writer.commit()
            }
        }
        summary.add(chunk.summary)
        progress(summary.bytes)
    }
}
