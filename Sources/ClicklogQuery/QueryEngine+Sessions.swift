import ClicklogEvents
import ClicklogStorage

extension QueryEngine {
    /// Sessions (semantics.md): scan `ts` and `anonymous_id` (and `site` where a block has
    /// several) into `VisitorRows`, then split each visitor's times into sessions in one ordered
    /// pass (`Sessionizer.stream`); visitors whose events arrived out of `ts` order are grouped
    /// with `VisitorGroups` and walked after sorting.
    public func sessions(_ query: SessionsQuery) throws -> SessionsResult {
        let plan = try plan()
        try plan.budget.reserve(plan.scan.totalRows * 12, what: "\(plan.scan.totalRows) events (time and visitor)")
        let (blocks, _) = try measure("scan") {
            try plan.scan.run(skipped: VisitorRows(), makeWorker: { BlockScanner(context: plan.context) }) { scanner, block in
                let ts = try scanner.reader.read(block, columns: ColumnSet(.ts)).ts
                let sites = try scanner.siteCodes(block)
                let rows = scanner.selectRows(block, ts: ts, sites: sites)
                var out = VisitorRows()
                if rows.isEmpty { return out }
                let keys = try scanner.reader.readStrings(block, column: .anonymousID)
                out.visitors = try scanner.visitors(block, keys: keys, sites: sites, rows: rows)
                out.ts = rows.count == ts.count ? ts : BlockScanner.gather(ts, rows: rows)
                return out
            }
        }
        let sessionizer = Sessionizer(idle: query.idle, zone: options.zone, budget: plan.budget)
        let visitorBound = plan.context.visitors.idBound
        var (partial, disordered) = try measure("stream") { try sessionizer.stream(blocks, visitorBound: visitorBound, threads: plan.threads) }
        if !disordered.isEmpty {
            var late = blocks.map { $0.keeping(visitors: disordered) }
            let groups = try measure("group") {
                try VisitorGroups.build(&late, visitorBound: visitorBound, threads: plan.threads, budget: plan.budget)
            }
            try measure("walk") { partial.append(try sessionizer.walk(groups, threads: plan.threads)) }
        }
        return measure("summarize") { sessionizer.summarize(&partial) }
    }
}

extension VisitorRows {
    /// The rows of the visitors flagged in `visitors`.
    func keeping(visitors flagged: [Bool]) -> VisitorRows {
        var out = VisitorRows()
        for k in 0..<count where visitors[k] != Interner.none && flagged[Int(visitors[k])] {
            out.visitors.append(visitors[k])
            out.ts.append(ts[k])
        }
        return out
    }
}
