import ClicklogEvents

/// The `DeduplicationWindow.hash` of every non-null id of a batch, with its row.
///
/// Computed where the batch was parsed (an event loop, an import worker) so that the single
/// writer, which decides duplicates in commit order, only probes its table.
public struct IDHashes: Sendable {
    public private(set) var hashes: [UInt64] = []
    /// `rows[i]` is the batch row of `hashes[i]`.
    public private(set) var rows: [Int32] = []

    public init() {}

    public init(of batch: EventBatch) {
        hash(idsOf: batch)
    }

    /// Replaces the hashes with those of `batch`'s ids, keeping the arrays' capacity (the
    /// importer reuses its chunks).
    public mutating func hash(idsOf batch: EventBatch) {
        removeAll()
        hashes.reserveCapacity(batch.count)
        rows.reserveCapacity(batch.count)
        for row in 0..<batch.count where !batch.id.isNull(row) {
            hashes.append(batch.id.withBytes(at: row) { DeduplicationWindow.hash($0) })
            rows.append(Int32(row))
        }
    }

    /// Empties both arrays, keeping their capacity.
    public mutating func removeAll() {
        hashes.removeAll(keepingCapacity: true)
        rows.removeAll(keepingCapacity: true)
    }

    public var count: Int { hashes.count }
}
