import ClicklogEvents
import ClicklogStorage

extension QueryEngine {
    /// Funnels (semantics.md): scan only the events that match some step, as `(visitor, ts,
    /// step mask, breakdown value)`, group them by visitor, and run `WindowFunnel` on each.
    public func funnel(_ query: FunnelQuery) throws -> FunnelResult {
        guard (1...FunnelQuery.maxSteps).contains(query.steps.count) else {
            throw QueryError.badOption("--step", "\(query.steps.count) steps", accepted: "1 to \(FunnelQuery.maxSteps) steps")
        }
        let plan = try plan()
        let matcher = StepMatcher(steps: query.steps)
        let breakdownValues = Interner(budget: plan.budget, what: "breakdown values")
        let keyColumn: Column = query.by == .user ? .userID : .anonymousID
        var (blocks, _) = try plan.scan.run(skipped: VisitorRows(), makeWorker: { BlockScanner(context: plan.context) }) { scanner, block in
            // Read every column first (a damaged block is skipped as a whole).
            let events = try scanner.reader.readStrings(block, column: .event)
            let eventMasks = matcher.eventMasks(events.dictionary)
            if !eventMasks.contains(where: { $0 != 0 }) { return VisitorRows() }
            let ts = try scanner.reader.read(block, columns: ColumnSet(.ts)).ts
            let sites = try scanner.siteCodes(block)
            let urls = matcher.usesPath ? try scanner.reader.readStrings(block, column: .url) : nil
            let selectors = matcher.usesSelector ? try scanner.reader.readStrings(block, column: .selector) : nil
            let props = matcher.usesProps ? try scanner.reader.read(block, columns: ColumnSet(.props)) : nil
            let keys = try scanner.reader.readStrings(block, column: keyColumn, packedUUIDs: true)
            let breakdown = try query.breakdown.map { try scanner.readDimension($0, block: block, sites: sites) }

            let selected = scanner.selectRows(block, ts: ts, sites: sites)
            var (rows, masks) = StepMatcher.rowMasks(
                selected, events: (events.codes, eventMasks),
                urls: urls.map { ($0.codes, matcher.pathMasks($0.dictionary)) },
                selectors: selectors.map { ($0.codes, matcher.selectorMasks($0.dictionary)) })
            if let props {
                var kept = 0
                for i in 0..<rows.count {
                    let mask = masks[i] & matcher.propMask(props, row: Int(rows[i]))
                    if mask != 0 {
                        rows[kept] = rows[i]
                        masks[kept] = mask
                        kept += 1
                    }
                }
                rows.removeLast(rows.count - kept)
                masks.removeLast(masks.count - kept)
            }
            var out = VisitorRows()
            if rows.isEmpty { return out }
            out.visitors = try scanner.visitors(block, keys: keys, sites: sites, rows: rows)
            out.ts = BlockScanner.gather(ts, rows: rows)
            out.a = masks
            if let dimension = query.breakdown, let breakdown {
                // Only step-1 events carry a breakdown value.
                let firstRows = zip(rows, masks).filter { $0.1 & 1 != 0 }.map(\.0)
                let values = try scanner.dimensionValues(dimension, breakdown, rows: firstRows, into: breakdownValues)
                out.b = [UInt32](repeating: Interner.none, count: rows.count)
                var k = 0
                for i in 0..<rows.count where masks[i] & 1 != 0 {
                    out.b[i] = values[k]
                    k += 1
                }
            }
            try plan.budget.reserve(out.count * out.bytesPerRow, what: "events matching the funnel's steps")
            return out
        }
        let groups = try VisitorGroups.build(
            &blocks, visitorBound: plan.context.visitors.idBound, threads: plan.threads, budget: plan.budget)
        let walker = WindowFunnel(steps: query.steps.count, window: query.window, breakdown: query.breakdown != nil, budget: plan.budget)
        let tally = try walker.run(groups, threads: plan.threads)
        return FunnelResult(query: query, tally: tally, breakdownValues: breakdownValues)
    }
}
