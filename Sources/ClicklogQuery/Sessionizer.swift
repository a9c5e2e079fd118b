/// Splits each visitor's times into sessions (semantics.md, "Sessions") and aggregates them.
///
/// `stream` is the fast path: events come roughly in `ts` order, so most visitors' events are
/// already in order in the scanned blocks, and one pass in block order with a small state per
/// visitor (last time, session start, events) finds every session without grouping anything.
/// A visitor whose event is earlier than the one before it is marked *disordered*: its sessions
/// are dropped from the pass and recomputed by `walk`, over that visitor's events grouped by
/// `VisitorGroups` and sorted. The pass runs on every thread, each thread taking the visitors
/// whose id is its number modulo the thread count.
struct Sessionizer {
    let idle: Int64
    let zone: TimeZoneOffset
    let budget: MemoryBudget

    /// Sessions of some visitors: duration (ms), start day and events of each, and totals.
    struct Partial {
        var durations: [Int64] = []
        var days: [Int32] = []
        var eventCounts: [Int32] = []
        /// The visitor of each session, kept by `stream` to drop disordered visitors' sessions.
        var visitors: [UInt32] = []
        var reserved = 0

        var count: Int { durations.count }

        mutating func append(_ other: Partial) {
            durations += other.durations
            days += other.days
            eventCounts += other.eventCounts
        }

        /// Drops the sessions of flagged visitors.
        mutating func remove(visitors flagged: [Bool]) {
            var kept = 0
            for i in 0..<count where !flagged[Int(visitors[i])] {
                durations[kept] = durations[i]
                days[kept] = days[i]
                eventCounts[kept] = eventCounts[i]
                kept += 1
            }
            durations.removeLast(count - kept)
            days.removeLast(days.count - kept)
            eventCounts.removeLast(eventCounts.count - kept)
        }
    }

    /// Per-visitor state of the ordered pass; `last == Int64.min` for a visitor not seen yet.
    struct State {
        var last = Int64.min
        var start: Int64 = 0
        var events: Int32 = 0
        var disordered = false
    }

    /// One ordered pass over the blocks (see the type's comment). Returns the sessions of the
    /// ordered visitors and a flag per visitor id that is out of order (empty when none is).
    func stream(_ blocks: [VisitorRows], visitorBound: Int, threads: Int) throws -> (Partial, [Bool]) {
        let threads = max(1, min(threads, visitorBound))
        try budget.reserve(visitorBound * MemoryLayout<State>.stride * threads, what: "session state of \(visitorBound) visitors")
        let results = UnsafeSlots(count: threads, initial: Result<(Partial, [UInt32]), any Error>.success((Partial(), [])))
        let shared = UncheckedBox(blocks)
        parallelFor(threads: threads) { t in
            results.set(t, Result { try streamPart(shared.value, visitorBound: visitorBound, part: t, of: threads) })
        }
        var all = Partial()
        var disordered: [Bool] = []
        for result in results.values {
            let (partial, late) = try result.get()
            all.append(partial)
            all.visitors += partial.visitors
            if !late.isEmpty {
                if disordered.isEmpty { disordered = [Bool](repeating: false, count: visitorBound) }
                for v in late { disordered[Int(v)] = true }
            }
        }
        if !disordered.isEmpty { all.remove(visitors: disordered) }
        all.visitors = []
        return (all, disordered)
    }

    /// The pass for the visitors `v` with `v % parts == part`.
    private func streamPart(_ blocks: [VisitorRows], visitorBound: Int, part: Int, of parts: Int) throws -> (Partial, [UInt32]) {
        var p = Partial()
        var late: [UInt32] = []
        var bucketer = TimeBucketer(zone: zone, unit: .day)
        var states = [State](repeating: State(), count: visitorBound)
        let mask = parts & (parts - 1) == 0 ? parts - 1 : -1
        try states.withUnsafeMutableBufferPointer { states in
            for block in blocks {
                try block.visitors.withUnsafeBufferPointer { visitors in
                    try block.ts.withUnsafeBufferPointer { ts in
                        for k in 0..<visitors.count {
                            let v = Int(visitors[k])
                            if (mask >= 0 ? v & mask : v % parts) != part || v == Int(Interner.none) { continue }
                            let t = ts[k]
                            let s = states[v]
                            if s.last == Int64.min {
                                states[v] = State(last: t, start: t, events: 1)
                            } else if s.disordered {
                                continue
                            } else if t < s.last {
                                states[v].disordered = true
                                late.append(UInt32(v))
                            } else if t - s.last > idle {
                                try emit(&p, start: s.start, last: s.last, events: Int(s.events), visitor: v, &bucketer)
                                states[v] = State(last: t, start: t, events: 1)
                            } else {
                                states[v].last = t
                                states[v].events = s.events + 1
                            }
                        }
                    }
                }
            }
            var v = part
            while v < visitorBound {
                let s = states[v]
                if s.last != Int64.min, !s.disordered {
                    try emit(&p, start: s.start, last: s.last, events: Int(s.events), visitor: v, &bucketer)
                }
                v += parts
            }
        }
        return (p, late)
    }

    /// Sessions of visitors whose events `groups` holds, on several threads (each takes a range
    /// of visitors with about equal events); sorts a visitor's times first if they are out of order.
    func walk(_ groups: VisitorGroups, threads: Int) throws -> Partial {
        let ranges = groups.visitorRanges(threads: threads)
        let partials = UnsafeSlots(count: ranges.count, initial: Result<Partial, any Error>.success(Partial()))
        var groups = groups
        groups.ts.withUnsafeMutableBufferPointer { ts in
            let tsBox = UncheckedBox(ts)
            let starts = groups.starts
            parallelFor(threads: ranges.count) { r in
                partials.set(r, Result { try walk(ranges[r], starts: starts, ts: tsBox.value) })
            }
        }
        var all = Partial()
        for result in partials.values { all.append(try result.get()) }
        return all
    }

    private func walk(_ range: Range<Int>, starts: [UInt32], ts: UnsafeMutableBufferPointer<Int64>) throws -> Partial {
        var p = Partial()
        var bucketer = TimeBucketer(zone: zone, unit: .day)
        for v in range {
            let lo = Int(starts[v])
            let hi = Int(starts[v + 1])
            if lo == hi { continue }
            var slice = UnsafeMutableBufferPointer(rebasing: ts[lo..<hi])
            if zip(slice, slice.dropFirst()).contains(where: { $0 > $1 }) { slice.sort() }
            var start = slice[0]
            var last = start
            var n = 1
            for t in slice.dropFirst() {
                if t - last > idle {
                    try emit(&p, start: start, last: last, events: n, visitor: nil, &bucketer)
                    start = t
                    n = 0
                }
                n += 1
                last = t
            }
            try emit(&p, start: start, last: last, events: n, visitor: nil, &bucketer)
        }
        return p
    }

    /// Records one session; reserves memory for sessions in chunks.
    @inline(__always)
    private func emit(
        _ p: inout Partial, start: Int64, last: Int64, events: Int, visitor: Int?, _ bucketer: inout TimeBucketer
    ) throws {
        if p.count == p.reserved {
            let chunk = 1 << 16
            try budget.reserve(chunk * 20, what: "sessions")
            p.reserved += chunk
        }
        p.durations.append(last - start)
        p.days.append(Int32(truncatingIfNeeded: bucketer.bucket(start)))
        p.eventCounts.append(Int32(truncatingIfNeeded: events))
        if let visitor { p.visitors.append(UInt32(visitor)) }
    }

    /// Totals, and per day: the sessions grouped by day with a counting sort over the day range.
    func summarize(_ all: inout Partial) -> SessionsResult {
        let sessions = all.count
        var byDay: [SessionsResult.Day] = []
        var events = 0
        var bounces = 0
        var total: Int64 = 0
        if let lo = all.days.min(), let hi = all.days.max() {
            let span = Int(hi) - Int(lo) + 1
            var starts = [Int](repeating: 0, count: span + 1)
            for d in all.days { starts[Int(d - lo) + 1] += 1 }
            for i in 0..<span { starts[i + 1] += starts[i] }
            var cursor = starts
            var durations = [Int64](repeating: 0, count: sessions)
            var dayEvents = [Int](repeating: 0, count: span)
            var dayBounces = [Int](repeating: 0, count: span)
            var dayTotals = [Int64](repeating: 0, count: span)
            for k in 0..<sessions {
                let slot = Int(all.days[k] - lo)
                let d = all.durations[k]
                durations[cursor[slot]] = d
                cursor[slot] += 1
                dayEvents[slot] += Int(all.eventCounts[k])
                dayTotals[slot] += d
                if all.eventCounts[k] == 1 { dayBounces[slot] += 1 }
            }
            for slot in 0..<span where starts[slot + 1] > starts[slot] {
                var slice = Array(durations[starts[slot]..<starts[slot + 1]])
                let stats = SessionsResult.Stats(
                    sessions: slice.count, events: dayEvents[slot], bounces: dayBounces[slot],
                    totalDuration: dayTotals[slot], durations: &slice)
                byDay.append(SessionsResult.Day(day: TimeBucketer.dayLabel(Int64(lo) + Int64(slot)), stats: stats))
                events += dayEvents[slot]
                bounces += dayBounces[slot]
                total += dayTotals[slot]
            }
        }
        let stats = SessionsResult.Stats(
            sessions: sessions, events: events, bounces: bounces, totalDuration: total, durations: &all.durations)
        return SessionsResult(total: stats, byDay: byDay)
    }
}
