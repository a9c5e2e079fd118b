import ClicklogEvents
import ClicklogStorage

extension QueryEngine {
    /// Sessions (semantics.md) in one ordered pass over the blocks: the thread that decodes a
    /// block splits its visitors' events into sessions (`BlockSessions`), and the sessions
    /// that cross block edges are joined per visitor in block order while the scan goes on
    /// (`SessionJoin`, the scan's in-order consumer). Nothing is kept per event. Only visitors
    /// whose events arrived out of `ts` order are read again, grouped by visitor and sorted
    /// (`sessionsOfDisordered`).
    public func sessions(_ query: SessionsQuery) throws -> SessionsResult {
        let plan = try plan()
        let sessionizer = Sessionizer(idle: query.idle, zone: options.zone, bucket: query.bucket, budget: plan.budget)
        let zone = options.zone
        var join = SessionJoin(idle: query.idle, zone: zone, unit: sessionizer.unit, budget: plan.budget)
        _ = try plan.scan.run(
            skipped: BlockSessions(),
            makeWorker: {
                (scanner: BlockScanner(context: plan.context), sessions: BlockSessionizer(idle: query.idle, zone: zone, unit: sessionizer.unit))
            },
            { worker, block in
                let ts = try worker.scanner.reader.read(block, columns: ColumnSet(.ts)).ts
                let sites = try worker.scanner.siteCodes(block)
                let keys = try worker.scanner.reader.readStrings(block, column: .anonymousID, packedUUIDs: true)
                let found = try worker.sessions.run(block, ts: ts, keys: keys, sites: sites, scanner: &worker.scanner)
                // Held until joined: usually a block or two, all of them if the join falls behind.
                try plan.budget.reserve(found.bytes, what: "sessions of \(block.rows) events")
                return found
            },
            inOrder: { found in
                try join.add(found)
                plan.budget.release(found.bytes)
            })
        try join.finish()

        var all = join.sessions
        if !join.disordered.isEmpty {
            var flagged = [Bool](repeating: false, count: plan.context.visitors.idBound)
            for v in join.disordered { flagged[Int(v)] = true }
            all.removeSessions(of: flagged)
            var scanned: [ScanBlock] = []
            var start = 0
            for (block, end) in zip(plan.blocks, join.blockEnds) {
                if join.visitorsOfBlocks[start..<end].contains(where: { flagged[Int($0)] }) { scanned.append(block) }
                start = end
            }
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
