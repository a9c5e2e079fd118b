import ClicklogEvents

extension DeduplicationWindow {
    /// Remembers the ids of events received within the window, read back from the log, so
    /// that deduplication survives a restart.
    ///
    /// Reads only the `id` and `received_at` columns of blocks whose newest `received_at` is
    /// inside the window.
    public mutating func load(from reader: LogReader, now: Int64) throws {
        let horizon = now - windowMicros
        for block in try reader.blocks() where block.maxReceivedAt >= horizon {
            let batch = try reader.read(block, columns: ColumnSet([.id, .receivedAt]))
            for row in 0..<batch.count where !batch.id.isNull(row) && batch.receivedAt[row] >= horizon {
                remember(hash: batch.id.withBytes(at: row) { DeduplicationWindow.hash($0) }, receivedAt: batch.receivedAt[row])
            }
        }
    }
}
