import ClicklogEvents
import ClicklogStorage

extension QueryEngine {
    /// Sessions (semantics.md) in one ordered pass over the blocks: the thread that decodes a
    /// block splits its visitors' events into sessions (`BlockSessions`), then the sessions that
    /// cross block edges are joined per visitor in block order (`SessionJoin`). Nothing is kept
    /// per event. Only visitors whose events arrived out of `ts` order are read again, grouped
    /// by visitor and sorted (`sessionsOfDisordered`).
    public func sessions(_ query: SessionsQuery) throws -> SessionsResult {
        let plan = try plan()
        let sessionizer = Sessionizer(idle: query.idle, zone: options.zone, bucket: query.bucket, budget: plan.budget)
        let parts = plan.threads
        let zone = options.zone
        var (blocks, _) = try plan.scan.run(
            skipped: BlockSessions(parts: parts),
            makeWorker: {
                (scanner: BlockScanner(context: plan.context),
                 sessions: BlockSessionizer(idle: query.idle, parts: parts, zone: zone, unit: sessionizer.unit))
            }
        ) { worker, block in
            let ts = try worker.scanner.reader.read(block, columns: ColumnSet(.ts)).ts
            let sites = try worker.scanner.siteCodes(block)
            let keys = try worker.scanner.reader.readStrings(block, column: .anonymousID, packedUUIDs: true)
            let found = try worker.sessions.run(block, ts: ts, keys: keys, sites: sites, scanner: &worker.scanner)
            try plan.budget.reserve(found.bytes, what: "sessions of \(block.rows) events")
            return found
        }
        let visitorBound = plan.context.visitors.idBound
        let joined = try SessionJoin(idle: query.idle, zone: zone, unit: sessionizer.unit, budget: plan.budget)
            .run(blocks, visitorBound: visitorBound, parts: parts)

        var all = SessionList()
        let disordered = joined.flatMap(\.disordered)
        var flagged: [Bool] = []
        if !disordered.isEmpty {
            flagged = [Bool](repeating: false, count: visitorBound)
            for v in disordered { flagged[Int(v)] = true }
        }
        let count = blocks.reduce(0) { $0 + $1.closed.count } + joined.reduce(0) { $0 + $1.sessions.count }
        all.durations.reserveCapacity(count)
        all.buckets.reserveCapacity(count)
        all.eventCounts.reserveCapacity(count)
        for var list in blocks.map(\.closed) + joined.map(\.sessions) {
            if !flagged.isEmpty { list.removeSessions(of: flagged) }
            all.append(contentsOf: list)
        }
        if !flagged.isEmpty {
            let scanned = zip(plan.blocks, blocks).filter { _, found in found.edges.contains { flagged[Int($0.visitor)] } }.map(\.0)
            blocks = []
            all.append(contentsOf: try sessionsOfDisordered(flagged, in: scanned, plan: plan, sessionizer: sessionizer))
        }
        return sessionizer.summarize(&all)
    }

    /// The sessions of the visitors flagged in `flagged` (by id), from their events in
    /// `blocks`, read again, grouped by visitor and sorted by `ts`.
    private func sessionsOfDisordered(
        _ flagged: [Bool], in blocks: [ScanBlock], plan: Plan, sessionizer: Sessionizer
    ) throws -> SessionList {
        let scan = ParallelScan(blocks: blocks, threads: plan.threads, progress: nil, budget: plan.budget)
        var (rows, _) = try scan.run(skipped: VisitorRows(), makeWorker: { BlockScanner(context: plan.context) }) { scanner, block in
            let ts = try scanner.reader.read(block, columns: ColumnSet(.ts)).ts
            let sites = try scanner.siteCodes(block)
            let selected = scanner.selectRows(block, ts: ts, sites: sites)
            let keys = try scanner.reader.readStrings(block, column: .anonymousID, packedUUIDs: true)
            let visitors = try scanner.visitors(block, keys: keys, sites: sites, rows: selected)
            var out = VisitorRows()
            for (j, row) in selected.enumerated() {
                let v = visitors[j]
                guard Int(v) < flagged.count, flagged[Int(v)] else { continue }
                out.visitors.append(v)
                out.ts.append(ts[Int(row)])
            }
            try plan.budget.reserve(out.count * 12, what: "events of visitors that arrived out of order")
            return out
        }
        let groups = try VisitorGroups.build(&rows, visitorBound: flagged.count, threads: plan.threads, budget: plan.budget)
        return try sessionizer.walk(groups, threads: plan.threads)
    }
}
