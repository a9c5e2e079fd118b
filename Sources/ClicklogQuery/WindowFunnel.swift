/// The funnel level of each visitor, exactly as ClickHouse's `windowFunnel(window)` in its
/// default mode (semantics.md, "Funnels"), plus the time from step 1 to each step.
///
/// Per visitor, over its matches in `ts` order (equal `ts`: by step number): a step-1 match
/// restarts chain 1 at `ts`; a step-i match extends chain i−1 into chain i when
/// `ts <= start(i−1) + window`, keeping chain i−1's start. The level is the highest chain that
/// exists. Events with equal `ts` are processed as the union of their masks, in step order:
/// repeating a match at the same `ts` cannot change a chain, so this is the same as one match
/// per event and step. Like ClickHouse, a visitor stops at the first complete chain.
///
/// Time to step i is taken on the first chain that reached step i: its `ts` there minus its
/// step-1 `ts` (0 for step 1). The breakdown value is the one of the visitor's first step-1
/// event (ties in `ts`: arrival order).
struct WindowFunnel {
    let steps: Int
    let window: Int64
    let breakdown: Bool
    let budget: MemoryBudget

    /// Counts of one or all threads.
    struct Tally {
        /// `levels[l]`: visitors whose level is exactly l (index 0 unused).
        var levels: [Int]
        /// `times[i]`: ms from step 1 to step i + 1 of every visitor who reached it.
        var times: [[Int64]]
        /// Level counts per breakdown value id (`Interner.none`: no value).
        var groups: [UInt32: [Int]] = [:]
        var reserved = 0

        init(steps: Int) {
            levels = [Int](repeating: 0, count: steps + 1)
            times = [[Int64]](repeating: [], count: steps)
        }

        mutating func merge(_ other: Tally) {
            for l in levels.indices { levels[l] += other.levels[l] }
            for i in times.indices { times[i] += other.times[i] }
            for (value, counts) in other.groups {
                groups[value, default: [Int](repeating: 0, count: levels.count)].withUnsafeMutableBufferPointer { mine in
                    for l in counts.indices { mine[l] += counts[l] }
                }
            }
        }
    }

    func run(_ groups: VisitorGroups, threads: Int) throws -> Tally {
        let ranges = groups.visitorRanges(threads: threads)
        let partials = UnsafeSlots(count: ranges.count, initial: Result<Tally, any Error>.success(Tally(steps: steps)))
        let shared = UncheckedBox(groups)
        parallelFor(threads: ranges.count) { r in
            partials.set(r, Result { try walk(ranges[r], shared.value) })
        }
        var total = Tally(steps: steps)
        for partial in partials.values { total.merge(try partial.get()) }
        return total
    }

    func walk(_ range: Range<Int>, _ groups: VisitorGroups) throws -> Tally {
        var tally = Tally(steps: steps)
        var starts = [Int64](repeating: 0, count: steps)
        var order: [Int32] = []
        let full: UInt32 = steps == 32 ? UInt32.max : (1 << UInt32(steps)) - 1
        let chunk = 1 << 14
        var counted = 0
        for v in range {
            let lo = Int(groups.starts[v])
            let hi = Int(groups.starts[v + 1])
            if lo == hi { continue }
            // Positions in ts order; arrival order (the scatter's) breaks ties.
            order.removeAll(keepingCapacity: true)
            order.append(contentsOf: (Int32(lo)..<Int32(hi)))
            var sorted = true
            for i in (lo + 1)..<hi where groups.ts[i] < groups.ts[i - 1] {
                sorted = false
                break
            }
            if !sorted { order.sort { (groups.ts[Int($0)], $0) < (groups.ts[Int($1)], $1) } }

            var reached: UInt32 = 0
            var value = Interner.none
            var sawFirst = false
            var k = 0
            while k < order.count, reached != full {
                let t = groups.ts[Int(order[k])]
                var mask: UInt32 = 0
                while k < order.count, groups.ts[Int(order[k])] == t {
                    let p = Int(order[k])
                    let m = groups.a[p]
                    if breakdown, !sawFirst, m & 1 != 0 {
                        value = groups.b[p]
                        sawFirst = true
                    }
                    mask |= m
                    k += 1
                }
                var bits = mask
                while bits != 0 {
                    let i = bits.trailingZeroBitCount
                    bits &= bits - 1
                    if i == 0 {
                        starts[0] = t
                        if reached & 1 == 0 {
                            reached |= 1
                            tally.times[0].append(0)
                        }
                    } else if reached & (1 << UInt32(i - 1)) != 0, t <= starts[i - 1] + window {
                        starts[i] = starts[i - 1]
                        if reached & (1 << UInt32(i)) == 0 {
                            reached |= 1 << UInt32(i)
                            tally.times[i].append(t - starts[i - 1])
                        }
                    }
                }
            }
            let level = reached.nonzeroBitCount
            if level == 0 { continue }
            tally.levels[level] += 1
            if breakdown { tally.groups[value, default: [Int](repeating: 0, count: steps + 1)][level] += 1 }
            counted += level
            if counted > tally.reserved {
                try budget.reserve(chunk * 8, what: "times between funnel steps")
                tally.reserved += chunk
            }
        }
        return tally
    }
}
