import ClicklogEvents
import ClicklogStorage

/// What the query engine reads: blocks of events with per-block stats, decoded column by
/// column. `LogScanSource` adapts the log's `LogReader`; `MemoryScanSource` serves in-memory
/// batches to tests and fixtures.
///
/// A source is shared by the scan's threads; each thread decodes through its own `ScanReader`
/// (`makeReader`), which may keep buffers from block to block.
public protocol ScanSource: Sendable {
    /// The blocks that may hold events with `range.from <= ts < range.to` of `site` (every site
    /// when nil), in arrival order. Pruning is by block stats only; rows are filtered later.
    func blocks(in range: TimeRange, site: String?) throws -> [ScanBlock]

    /// A reader for one thread.
    func makeReader() -> any ScanReader

    /// Damage met so far (corrupt blocks skipped), for a warning after the results.
    var problems: [String] { get }
}

/// Decodes blocks for one thread of a scan.
public protocol ScanReader {
    /// The block's columns in `columns`, decoded; the others stay empty.
    func read(_ block: ScanBlock, columns: ColumnSet) throws -> EventBatch

    /// A string column of the block as a dictionary of distinct values and one code per row.
    /// With `packedUUIDs` the source may give a dictionary of UUIDs as their 16 bytes each
    /// (`DictionaryStrings.uuidsPacked`), when it stores them so; `Interner` keys such values
    /// exactly as it keys their canonical text.
    func readStrings(_ block: ScanBlock, column: Column, packedUUIDs: Bool) throws -> DictionaryStrings
}

extension ScanReader {
    /// The column as text (see `readStrings(_:column:packedUUIDs:)`).
    public func readStrings(_ block: ScanBlock, column: Column) throws -> DictionaryStrings {
        try readStrings(block, column: column, packedUUIDs: false)
    }
}

/// Thrown by a `ScanReader` for a block that cannot be decoded and should be skipped, as the
/// log's own scan does; the source lists it in `problems`.
public struct SkippedBlock: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// One block as the engine sees it: its stats for pruning and planning, and a handle that only
/// the source that made it understands.
public struct ScanBlock: @unchecked Sendable {
    public var rows: Int
    public var minTs: Int64
    public var maxTs: Int64
    /// The distinct sites of the block's events; a block with one site needs no per-row check.
    public var sites: [String]
    /// The source's own reference to the block (a `BlockInfo`, an array index). Immutable, so
    /// sharing it between threads is safe.
    public let handle: Any

    public init(rows: Int, minTs: Int64, maxTs: Int64, sites: [String], handle: Any) {
        self.rows = rows
        self.minTs = minTs
        self.maxTs = maxTs
        self.sites = sites
        self.handle = handle
    }

    /// Whether every event of the block has its `ts` inside `range`.
    func isInside(_ range: TimeRange) -> Bool { range.contains(minTs) && range.contains(maxTs) }
}
