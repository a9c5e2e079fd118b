import ClicklogEvents

/// A block already encoded and compressed, ready for `LogWriter.append(_:)`.
///
/// Encoding is most of a block's cost (dictionaries, move-to-front ranks, zstd) and needs
/// nothing from the log, so a caller with several cores (the importer) encodes blocks in
/// parallel and leaves only the write and the fsync to the single writer.
public struct EncodedBlock: Sendable {
    /// The block's bytes, header first (docs/format.md, "Block").
    public var bytes: [UInt8]
    public var summary: BlockSummary

    /// Encodes `batch` with `encoder`, which stays reusable for the next block. `buffer` (for
    /// example the bytes of a block already written) is overwritten and keeps its capacity,
    /// so a caller recycling blocks does not allocate and fault in a new buffer for each.
    public init(_ batch: EventBatch, encoder: BlockEncoder, reusing buffer: consuming [UInt8] = []) throws {
        summary = try encoder.encode(batch, into: &buffer)
        bytes = buffer
    }
}
