import ClicklogEvents
import ClicklogStorage

extension QueryEngine {
    /// Top lists (semantics.md): count events per interned value while scanning, keep
    /// `(value, visitor)` per event, then count distinct visitors only for the values that make
    /// the list (unique visitors never change the order, so only `limit` values need them).
    public func top(_ query: TopQuery) throws -> TopResult {
        let plan = try plan()
        let values = Interner(budget: plan.budget, what: "distinct \(query.dimension) values")
        try plan.budget.reserve(plan.scan.totalRows * 8, what: "\(plan.scan.totalRows) events (value and visitor)")
        let eventName = query.event.map { Array($0.utf8) }
        var (blocks, workers) = try plan.scan.run(
            skipped: VisitorRows(), makeWorker: { (scanner: BlockScanner(context: plan.context), events: [Int]()) }
        ) { worker, block in
            let ts = try worker.scanner.reader.read(block, columns: ColumnSet(.ts)).ts
            let sites = try worker.scanner.siteCodes(block)
            let events = try eventName.map { _ in try worker.scanner.reader.readStrings(block, column: .event) }
            let column = try worker.scanner.readDimension(query.dimension, block: block, sites: sites)
            let keys = try worker.scanner.reader.readStrings(block, column: .anonymousID, packedUUIDs: true)

            var rows = worker.scanner.selectRows(block, ts: ts, sites: sites)
            if let events, let eventName {
                let match = (0..<events.dictionary.count).map {
                    !events.dictionary.isNull($0) && events.dictionary.bytes[events.dictionary.range(of: $0)].elementsEqual(eventName)
                }
                rows.removeAll { !match[Int(events.codes[Int($0)])] }
            }
            let ids = try worker.scanner.dimensionValues(query.dimension, column, rows: rows, into: values)
            var kept: [Int32] = []
            var out = VisitorRows()
            kept.reserveCapacity(rows.count)
            out.a.reserveCapacity(rows.count)
            for (row, id) in zip(rows, ids) where id != Interner.none {
                kept.append(row)
                out.a.append(id)
            }
            out.visitors = try worker.scanner.visitors(block, keys: keys, sites: sites, rows: kept)
            if let largest = out.a.max(), Int(largest) >= worker.events.count {
                worker.events.append(contentsOf: repeatElement(0, count: Int(largest) + 1 - worker.events.count))
            }
            for id in out.a { worker.events[Int(id)] += 1 }
            return out
        }

        // Events per value, then the list: the `limit`-th count is the cut, ties broken by value.
        var events = [Int](repeating: 0, count: workers.map(\.events.count).max() ?? 0)
        for w in workers { for (id, n) in w.events.enumerated() { events[id] += n } }
        let present = events.indices.filter { events[$0] > 0 }
        let cut = present.count <= query.limit ? 0 : present.map { events[$0] }.sorted(by: >)[query.limit - 1]
        var listed = present.filter { events[$0] >= max(cut, 1) }.map { (id: UInt32($0), value: values.string(UInt32($0)), events: events[$0]) }
        listed.sort { $0.events != $1.events ? $0.events > $1.events : byteOrder($0.value, $1.value) }
        listed = Array(listed.prefix(query.limit))
        let unique = try Self.uniqueVisitors(&blocks, of: listed.map(\.id), visitorBound: plan.context.visitors.idBound, budget: plan.budget)
        return TopResult(
            dimension: query.dimension.description,
            rows: listed.enumerated().map { .init(value: $1.value, events: $1.events, uniqueVisitors: unique[$0]) })
    }

    /// Distinct visitors of each listed value: the rows of listed values are grouped by value
    /// (a counting sort over `ids.count` slots), then each group counts first sightings in a
    /// stamp array over visitors.
    static func uniqueVisitors(_ blocks: inout [VisitorRows], of ids: [UInt32], visitorBound: Int, budget: MemoryBudget) throws -> [Int] {
        guard !ids.isEmpty else { return [] }
        var slotOf: [UInt32: Int] = [:]
        for (slot, id) in ids.enumerated() { slotOf[id] = slot }
        let valueBound = Int(ids.max()!) + 1
        var slots = [Int32](repeating: -1, count: valueBound)
        for (id, slot) in slotOf { slots[Int(id)] = Int32(slot) }
        var starts = [Int](repeating: 0, count: ids.count + 1)
        for block in blocks {
            for id in block.a where Int(id) < valueBound && slots[Int(id)] >= 0 { starts[Int(slots[Int(id)]) + 1] += 1 }
        }
        for s in 0..<ids.count { starts[s + 1] += starts[s] }
        try budget.reserve(starts[ids.count] * 4 + visitorBound * 4, what: "distinct visitors of the listed values")
        var grouped = [UInt32](repeating: 0, count: starts[ids.count])
        var cursor = starts
        for block in blocks {
            for (id, visitor) in zip(block.a, block.visitors) where Int(id) < valueBound && slots[Int(id)] >= 0 {
                let s = Int(slots[Int(id)])
                grouped[cursor[s]] = visitor
                cursor[s] += 1
            }
        }
        blocks = []
        var stamp = [Int32](repeating: -1, count: visitorBound)
        return (0..<ids.count).map { s in
            var n = 0
            for k in starts[s]..<starts[s + 1] where stamp[Int(grouped[k])] != Int32(s) {
                stamp[Int(grouped[k])] = Int32(s)
                n += 1
            }
            return n
        }
    }
}

/// Byte order of UTF-8, as SQL's binary collation: the order of ties in top lists and keys.
func byteOrder(_ a: String, _ b: String) -> Bool { a.utf8.lexicographicallyPrecedes(b.utf8) }
