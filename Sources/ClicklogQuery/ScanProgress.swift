/// How far a scan is, for a progress bar: blocks and rows done out of the total. The engine
/// updates it once per block; a display thread reads `snapshot` whenever it likes.
public final class ScanProgress: @unchecked Sendable {
    public struct Snapshot: Sendable, Equatable {
        public var blocksDone: Int
        public var blocks: Int
        public var rowsDone: Int
        public var rows: Int

        /// Done fraction by rows, 0...1.
        public var fraction: Double { rows > 0 ? Double(rowsDone) / Double(rows) : (blocks > 0 ? Double(blocksDone) / Double(blocks) : 0) }
    }

    private let lock = QueryLock()
    private var state = Snapshot(blocksDone: 0, blocks: 0, rowsDone: 0, rows: 0)

    public init() {}

    public var snapshot: Snapshot { lock.withLock { state } }

    func start(blocks: Int, rows: Int) {
        lock.withLock { state = Snapshot(blocksDone: 0, blocks: blocks, rowsDone: 0, rows: rows) }
    }

    func finished(rows: Int) {
        lock.withLock {
            state.blocksDone += 1
            state.rowsDone += rows
        }
    }
}
