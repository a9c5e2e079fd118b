/// The kept events of one block, one entry per row: the visitor's global id (`Interner.none`
/// drops the row), `ts`, and up to two per-query payloads (a funnel's step mask and breakdown
/// value; empty when unused).
struct VisitorRows: Sendable {
    var visitors: [UInt32] = []
    var ts: [Int64] = []
    var a: [UInt32] = []
    var b: [UInt32] = []

    var count: Int { visitors.count }

    /// Bytes per row of the arrays in use.
    var bytesPerRow: Int { 4 + 8 + (a.isEmpty ? 0 : 4) + (b.isEmpty ? 0 : 4) }
}

/// Every visitor's events together, in arrival order within a visitor: a parallel counting sort
/// of the scanned `(visitor, ts, payload)` columns by dense visitor id.
///
/// Why a counting sort and not a hash partition or a comparison sort: visitor ids are dense
/// (`Interner`), so one histogram pass and one scatter pass group 10M events in two linear
/// passes, stable, with no per-event comparison. The scatter runs on every thread: the blocks
/// are cut into one contiguous run per thread, each run counts its visitors, and a prefix sum
/// over (visitor, run) gives each run its own write cursor per visitor, so arrival order holds
/// without any synchronisation. Memory: the sorted columns (12–20 bytes per event) plus one
/// `UInt32` per visitor per thread; the scanned columns are freed run by run as they are moved.
struct VisitorGroups {
    /// Visitor `v`'s events are `starts[v]..<starts[v + 1]`.
    var starts: [UInt32] = [0]
    var ts: [Int64] = []
    var a: [UInt32] = []
    var b: [UInt32] = []

    var visitorBound: Int { starts.count - 1 }
    var eventCount: Int { Int(starts.last!) }

    static func build(
        _ blocks: inout [VisitorRows], visitorBound: Int, threads: Int, budget: MemoryBudget
    ) throws -> VisitorGroups {
        let total = blocks.reduce(0) { $0 + $1.count }
        guard total < Int(UInt32.max) else {
            throw QueryError.memoryLimit(needed: total * 20, limit: budget.limit, what: "more than 4 billion events in one query")
        }
        let hasA = blocks.contains { !$0.a.isEmpty }
        let hasB = blocks.contains { !$0.b.isEmpty }
        let runs = Self.runs(blocks, threads: threads)
        let bytes = total * (8 + (hasA ? 4 : 0) + (hasB ? 4 : 0)) + visitorBound * 4 * (runs.count + 1)
        try budget.reserve(bytes, what: "grouping \(total) events by visitor")

        // Histogram per run.
        var counts = [[UInt32]](repeating: [], count: runs.count)
        let blocksBox = UncheckedBox(blocks)
        let countsBox = UnsafeSlots(count: runs.count, initial: [UInt32]())
        parallelFor(threads: runs.count) { r in
            var c = [UInt32](repeating: 0, count: visitorBound)
            c.withUnsafeMutableBufferPointer { c in
                for i in runs[r] {
                    for v in blocksBox.value[i].visitors where v != Interner.none { c[Int(v)] &+= 1 }
                }
            }
            countsBox.set(r, c)
        }
        counts = countsBox.values

        // Prefix sum over (visitor, run): starts, and each run's cursors in place of its counts.
        var groups = VisitorGroups()
        groups.starts = [UInt32](repeating: 0, count: visitorBound + 1)
        var running: UInt32 = 0
        for v in 0..<visitorBound {
            groups.starts[v] = running
            for r in 0..<runs.count {
                let n = counts[r][v]
                counts[r][v] = running
                running &+= n
            }
        }
        groups.starts[visitorBound] = running
        let kept = Int(running)
        groups.ts = [Int64](repeating: 0, count: kept)
        if hasA { groups.a = [UInt32](repeating: 0, count: kept) }
        if hasB { groups.b = [UInt32](repeating: 0, count: kept) }

        // Scatter, each run with its own cursors.
        let cursorsBox = UncheckedBox(counts)
        counts = []
        groups.ts.withUnsafeMutableBufferPointer { ts in
            groups.a.withUnsafeMutableBufferPointer { a in
                groups.b.withUnsafeMutableBufferPointer { b in
                    let out = UncheckedBox((ts, a, b))
                    parallelFor(threads: runs.count) { r in
                        var cursor = cursorsBox.value[r]
                        let (ts, a, b) = out.value
                        cursor.withUnsafeMutableBufferPointer { cursor in
                            for i in runs[r] {
                                let block = blocksBox.value[i]
                                for k in 0..<block.count {
                                    let v = block.visitors[k]
                                    if v == Interner.none { continue }
                                    let p = Int(cursor[Int(v)])
                                    cursor[Int(v)] = UInt32(p + 1)
                                    ts[p] = block.ts[k]
                                    if hasA { a[p] = block.a[k] }
                                    if hasB { b[p] = block.b[k] }
                                }
                            }
                        }
                    }
                }
            }
        }
        blocks = []
        budget.release(visitorBound * 4 * runs.count)
        return groups
    }

    /// Contiguous runs of blocks with about equal rows, one per thread.
    static func runs(_ blocks: [VisitorRows], threads: Int) -> [Range<Int>] {
        let total = blocks.reduce(0) { $0 + $1.count }
        let n = max(1, min(threads, blocks.count))
        var runs: [Range<Int>] = []
        var start = 0
        var seen = 0
        for (i, block) in blocks.enumerated() {
            seen += block.count
            if runs.count < n - 1, seen * n >= total * (runs.count + 1) {
                runs.append(start..<(i + 1))
                start = i + 1
            }
        }
        runs.append(start..<blocks.count)
        return runs
    }

    /// Visitor ranges with about equal events, one per thread, for the per-visitor walks.
    func visitorRanges(threads: Int) -> [Range<Int>] {
        let n = max(1, threads)
        let total = eventCount
        var ranges: [Range<Int>] = []
        var start = 0
        for part in 1..<n {
            let target = UInt32(total * part / n)
            var lo = start
            var hi = visitorBound
            while lo < hi {
                let mid = (lo + hi) / 2
                if starts[mid] < target { lo = mid + 1 } else { hi = mid }
            }
            ranges.append(start..<lo)
            start = lo
        }
        ranges.append(start..<visitorBound)
        return ranges
    }
}

/// One result slot per thread of a `parallelFor`, each written by its own thread only.
final class UnsafeSlots<Value>: @unchecked Sendable {
    private let lock = QueryLock()
    private var slots: [Value]

    init(count: Int, initial: Value) { slots = Array(repeating: initial, count: count) }

    func set(_ index: Int, _ value: Value) { lock.withLock { slots[index] = value } }

    var values: [Value] { lock.withLock { slots } }
}
