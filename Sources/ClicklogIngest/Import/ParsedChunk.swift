import ClicklogEvents
import ClicklogStorage

/// One chunk of a JSONL file after parsing: its events, and what was refused with the raw
/// bytes to quarantine.
struct ParsedChunk: Sendable {
    struct Refusal: Sendable {
        var line: Int
        var reason: String
        var raw: [UInt8]
    }

    var batch = EventBatch()
    var refusals: [Refusal] = []
    var summary = ImportSummary()
    /// `batch` as a block, encoded on the parsing thread so that the single writer only writes.
    /// Nil when empty or when encoding failed (the writer then encodes, and reports the error).
    var encoded: EncodedBlock?
    /// The hashes of `batch`'s ids, computed on the parsing thread too.
    var ids = IDHashes()
    /// The buffer of the last block, kept by `reset` for the next `encode`.
    private var spareBlockBytes: [UInt8] = []

    /// Encodes `batch` and hashes its ids ahead of the writer. Most chunks have no duplicate,
    /// so the block is usually written as it is; a chunk that loses rows to deduplication is
    /// encoded again. The block's bytes reuse the buffer of the block this chunk held before.
    mutating func encode(with encoder: BlockEncoder) {
        guard batch.count > 0 else { return }
        let buffer = spareBlockBytes
        spareBlockBytes = []
        encoded = try? EncodedBlock(batch, encoder: encoder, reusing: consume buffer)
        ids.hash(idsOf: batch)
    }

    /// Empties the chunk for the next one, keeping the capacity of its columns, id hashes and
    /// block buffer (see `Recycler`), and reserves room for `inputBytes` of input.
    mutating func reset(reservingFor inputBytes: Int) {
        batch.removeAll(keepingCapacity: true)
        reserve(forInputBytes: inputBytes)
        refusals.removeAll()
        summary = ImportSummary()
        if let encoded { spareBlockBytes = encoded.bytes }
        encoded = nil
        ids.removeAll()
    }

    /// Gives a chunk made for the first time the capacity a recycled one has: otherwise its
    /// columns grow by doubling, each step a fresh mapping faulted in and a copy of the last.
    /// Reserving costs address space only, as pages are touched when they fill: a row per 128
    /// input bytes (typical events are 310), and a quarter of the input for each string column
    /// (ids and URLs, the largest, are an eighth).
    private mutating func reserve(forInputBytes inputBytes: Int) {
        let rows = inputBytes / 128 + 16
        let bytes = inputBytes / 4 + 64
        func strings(_ column: inout StringColumn) {
            if column.ends.capacity < rows { column.ends.reserveCapacity(rows) }
            if column.bytes.capacity < bytes { column.bytes.reserveCapacity(bytes) }
        }
        func integers(_ values: inout [Int64]) {
            if values.capacity < rows { values.reserveCapacity(rows) }
        }
        guard batch.ts.capacity == 0 else { return }  // a recycled chunk keeps what it has
        strings(&batch.event)
        integers(&batch.ts)
        strings(&batch.anonymousID)
        strings(&batch.id)
        strings(&batch.userID)
        strings(&batch.sessionID)
        strings(&batch.url)
        strings(&batch.referrer)
        strings(&batch.title)
        strings(&batch.selector)
        strings(&batch.text)
        integers(&batch.x.values)
        integers(&batch.y.values)
        if batch.propEnds.capacity < rows { batch.propEnds.reserveCapacity(rows) }
        integers(&batch.receivedAt)
        strings(&batch.site)
        integers(&batch.sentAt.values)
    }

    /// Parses every line of `bytes` (whole lines only; the caller splits at newlines) into
    /// this chunk, which `reset` emptied. Duplicates are not decided here: chunks are parsed in
    /// parallel, and the first occurrence in file order must win, so the writer decides them
    /// in order.
    mutating func parse(
        _ bytes: UnsafeRawBufferPointer, firstLine: Int, parser: inout MessageParser, now: Int64, enrichment: Enrichment
    ) {
        var admitAll = AdmitAll()
        let limits = parser.limits
        var splitter = LineSplitter(maxLineBytes: limits.maxMessageBytes)
        summary.bytes = bytes.count
        func handle(_ line: LineSplitter.Line) {
            switch line {
            case .tooLong(let number, let length):
                summary.malformed += 1
                refusals.append(Refusal(
                    line: firstLine + number - 1,
                    reason: "line of \(length) bytes exceeds the message limit of \(limits.maxMessageBytes) bytes", raw: []))
            case .line(let text, let number):
                let lineNumber = firstLine + number - 1
                if text.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { return }
                do {
                    let result = try parser.parse(text, now: now, enrichment: enrichment, into: &batch, filter: &admitAll)
                    summary.accepted += result.accepted
                    summary.rejected += result.rejections.count
                    for r in result.rejections {
                        refusals.append(Refusal(line: lineNumber, reason: "event \(r.index): \(r)", raw: Array(text[r.bytes])))
                    }
                } catch {
                    summary.malformed += 1
                    refusals.append(Refusal(line: lineNumber, reason: "\(error)", raw: Array(text)))
                }
            }
        }
        splitter.feed(bytes, handle)
        splitter.finish(handle)
        summary.lines = splitter.linesSeen
    }
}
