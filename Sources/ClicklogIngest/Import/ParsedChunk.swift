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
    /// `DeduplicationWindow.hash` of each row's id that is not null, in row order, with the
    /// rows in `idRows`; computed on the parsing thread too.
    var idHashes: [UInt64] = []
    var idRows: [Int32] = []

    /// Encodes `batch` and hashes its ids ahead of the writer. Most chunks have no duplicate,
    /// so the block is usually written as it is; a chunk that loses rows to deduplication is
    /// encoded again.
    mutating func encode(compression: BlockCompression) {
        guard batch.count > 0 else { return }
        encoded = try? EncodedBlock(batch, encoder: BlockEncoder(compression: compression))
        idHashes.reserveCapacity(batch.count)
        idRows.reserveCapacity(batch.count)
        for row in 0..<batch.count where !batch.id.isNull(row) {
            idHashes.append(batch.id.withBytes(at: row) { DeduplicationWindow.hash($0) })
            idRows.append(Int32(row))
        }
    }

    /// Parses every line of `bytes` (whole lines only; the caller splits at newlines).
    /// Duplicates are not decided here: chunks are parsed in parallel, and the first
    /// occurrence in file order must win, so the writer decides them in order.
    static func parse(
        _ bytes: UnsafeRawBufferPointer, firstLine: Int, limits: EventLimits, now: Int64, enrichment: Enrichment
    ) -> ParsedChunk {
        var chunk = ParsedChunk()
        var parser = MessageParser(limits: limits)
        var admitAll = AdmitAll()
        var splitter = LineSplitter(maxLineBytes: limits.maxMessageBytes)
        chunk.summary.bytes = bytes.count
        let handle: (LineSplitter.Line) -> Void = { line in
            switch line {
            case .tooLong(let number, let length):
                chunk.summary.malformed += 1
                chunk.refusals.append(Refusal(
                    line: firstLine + number - 1,
                    reason: "line of \(length) bytes exceeds the message limit of \(limits.maxMessageBytes) bytes", raw: []))
            case .line(let text, let number):
                let lineNumber = firstLine + number - 1
                if text.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { return }
                do {
                    let summary = try parser.parse(text, now: now, enrichment: enrichment, into: &chunk.batch, filter: &admitAll)
                    chunk.summary.accepted += summary.accepted
                    chunk.summary.rejected += summary.rejections.count
                    for r in summary.rejections {
                        chunk.refusals.append(Refusal(line: lineNumber, reason: "event \(r.index): \(r)", raw: Array(text[r.bytes])))
                    }
                } catch {
                    chunk.summary.malformed += 1
                    chunk.refusals.append(Refusal(line: lineNumber, reason: "\(error)", raw: Array(text)))
                }
            }
        }
        splitter.feed(bytes, handle)
        splitter.finish(handle)
        chunk.summary.lines = splitter.linesSeen
        return chunk
    }
}
