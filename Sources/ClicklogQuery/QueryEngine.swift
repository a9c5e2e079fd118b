import ClicklogEvents

/// Runs the queries of semantics.md over a `ScanSource`.
///
/// Every query is one parallel scan that decodes only the columns it needs from the blocks the
/// time range and site leave (block stats prune the rest), maps per-block dictionary codes to
/// global ids once per distinct value, and keeps flat arrays of what it needs per event: never an
/// `Event` or a `String` per event. Funnels then group events by visitor with a counting sort
/// (`VisitorGroups`); sessions are found in one ordered pass that keeps nothing per event
/// (`BlockSessions`, `SessionJoin`). docs/query.md describes the algorithms and their memory.
public struct QueryEngine: Sendable {
    public let source: any ScanSource
    public var options: QueryOptions

    public init(source: any ScanSource, options: QueryOptions = QueryOptions()) {
        self.source = source
        self.options = options
    }

    public func run(_ query: Query) throws -> any QueryResult {
        switch query {
        case let .sessions(q): try sessions(q)
        case let .funnel(q): try funnel(q)
        case let .top(q): try top(q)
        case let .counts(q): try counts(q)
        }
    }

    /// The scan of one query: its context, the blocks left after pruning, and a runner.
    struct Plan {
        let context: ScanContext
        let scan: ParallelScan
        let budget: MemoryBudget

        var blocks: [ScanBlock] { scan.blocks }
        var threads: Int { scan.threads }
    }

    func plan() throws -> Plan {
        let budget = MemoryBudget(limit: options.memoryLimit)
        let blocks = try source.blocks(in: options.range, site: options.site)
        let threads = options.threads
        let context = ScanContext(source: source, range: options.range, site: options.site, budget: budget)
        let scan = ParallelScan(blocks: blocks, threads: threads, progress: options.progress, budget: budget)
        // Decode buffers: a block's columns and dictionaries, about 64 bytes a row, per thread.
        let largest = blocks.map(\.rows).max() ?? 0
        try budget.reserve(largest * 64 * scan.threads, what: "decoding \(scan.threads) blocks at once")
        return Plan(context: context, scan: scan, budget: budget)
    }

    /// The smallest and largest `ts` the plan can see: block stats clipped to the range.
    func tsBounds(_ blocks: [ScanBlock]) -> (Int64, Int64)? {
        guard var lo = blocks.map(\.minTs).min(), var hi = blocks.map(\.maxTs).max() else { return nil }
        if let from = options.range.from { lo = max(lo, from) }
        if let to = options.range.to { hi = min(hi, to - 1) }
        return lo <= hi ? (lo, hi) : nil
    }
}

/// What a query returns: JSON as semantics.md specifies it, and tables for people.
public protocol QueryResult: Sendable {
    var json: JSONValue { get }
    var tables: [ResultTable] { get }
    /// The one table of `--format csv` (tools read one table per file).
    var csvTable: ResultTable { get }
}

extension QueryResult {
    public var csvTable: ResultTable { tables[0] }
}
