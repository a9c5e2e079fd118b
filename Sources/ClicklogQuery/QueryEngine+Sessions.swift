import ClicklogEvents
import ClicklogStorage

extension QueryEngine {
    /// Sessions (semantics.md): scan `ts`, `anonymous_id` (and `site` where a block has several)
    /// into `VisitorRows`, group by visitor, then walk each visitor's times in order.
    public func sessions(_ query: SessionsQuery) throws -> SessionsResult {
        let plan = try plan()
        try plan.budget.reserve(plan.scan.totalRows * 12, what: "\(plan.scan.totalRows) events (time and visitor)")
        var (blocks, _) = try plan.scan.run(skipped: VisitorRows(), makeWorker: { BlockScanner(context: plan.context) }) { scanner, block in
            let ts = try scanner.reader.read(block, columns: ColumnSet(.ts)).ts
            let sites = try scanner.siteCodes(block)
            let rows = scanner.selectRows(block, ts: ts, sites: sites)
            var out = VisitorRows()
            if rows.isEmpty { return out }
            let keys = try scanner.reader.readStrings(block, column: .anonymousID)
            out.visitors = try scanner.visitors(block, keys: keys, sites: sites, rows: rows)
            out.ts = BlockScanner.gather(ts, rows: rows)
            return out
        }
        let groups = try VisitorGroups.build(
            &blocks, visitorBound: plan.context.visitors.idBound, threads: plan.threads, budget: plan.budget)
        return try Sessionizer(idle: query.idle, zone: options.zone, bucket: query.bucket, budget: plan.budget)
            .run(groups, threads: plan.threads)
    }
}

/// Splits each visitor's ordered times into sessions and aggregates them, on several threads
/// (each takes a range of visitors with about equal events).
struct Sessionizer {
    let idle: Int64
    let zone: TimeZoneOffset
    /// The unit of `Partial.buckets`: local days, or local hours (days are then hour / 24,
    /// since a local day is 24 local clock hours).
    let bucket: SessionsQuery.Bucket
    let budget: MemoryBudget

    /// One thread's sessions: duration (ms), start bucket (local day or hour number; hours since
    /// 1970 fit in 32 bits until the year 246 000) and events of each, and running totals.
    struct Partial {
        var durations: [Int64] = []
        var buckets: [Int32] = []
        var eventCounts: [Int32] = []
        var events = 0
        var bounces = 0
        var totalDuration: Int64 = 0
        var reserved = 0
    }

    func run(_ groups: VisitorGroups, threads: Int) throws -> SessionsResult {
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
        for result in partials.values {
            let p = try result.get()
            all.durations += p.durations
            all.buckets += p.buckets
            all.eventCounts += p.eventCounts
            all.events += p.events
            all.bounces += p.bounces
            all.totalDuration += p.totalDuration
        }
        return summarize(&all)
    }

    /// Sessions of the visitors in `range`; sorts a visitor's times first if they arrived out of order.
    func walk(_ range: Range<Int>, starts: [UInt32], ts: UnsafeMutableBufferPointer<Int64>) throws -> Partial {
        var p = Partial()
        var bucketer = TimeBucketer(zone: zone, unit: bucket == .hour ? .hour : .day)
        let chunk = 1 << 16
        for v in range {
            let lo = Int(starts[v])
            let hi = Int(starts[v + 1])
            if lo == hi { continue }
            var sorted = true
            var i = lo + 1
            while i < hi {
                if ts[i] < ts[i - 1] { sorted = false; break }
                i += 1
            }
            if !sorted {
                var slice = UnsafeMutableBufferPointer(rebasing: ts[lo..<hi])
                slice.sort()
            }
            var start = ts[lo]
            var last = start
            var n = 1
            for i in (lo + 1)..<hi {
                let t = ts[i]
                if t - last > idle {
                    emit(&p, start: start, last: last, events: n, &bucketer)
                    start = t
                    n = 0
                }
                n += 1
                last = t
            }
            emit(&p, start: start, last: last, events: n, &bucketer)
            if p.durations.count > p.reserved {
                try budget.reserve(chunk * 16, what: "session durations")
                p.reserved += chunk
            }
        }
        return p
    }

    @inline(__always)
    func emit(_ p: inout Partial, start: Int64, last: Int64, events: Int, _ bucketer: inout TimeBucketer) {
        let duration = last - start
        p.durations.append(duration)
        p.buckets.append(Int32(truncatingIfNeeded: bucketer.bucket(start)))
        p.eventCounts.append(Int32(truncatingIfNeeded: events))
        p.events += events
        p.totalDuration += duration
        if events == 1 { p.bounces += 1 }
    }

    /// Totals, per day and (with hour buckets) per hour.
    func summarize(_ all: inout Partial) -> SessionsResult {
        let sessions = all.durations.count
        var byHour: [SessionsResult.Hour] = []
        var days = all.buckets
        if bucket == .hour {
            byHour = Self.group(all, keys: all.buckets).map { SessionsResult.Hour(hour: TimeBucketer.hourLabel($0), stats: $1) }
            for k in days.indices { days[k] = Int32(floorDiv(Int64(days[k]), 24)) }
        }
        let byDay = Self.group(all, keys: days).map { SessionsResult.Day(day: TimeBucketer.dayLabel($0), stats: $1) }
        let total = SessionsResult.Stats(
            sessions: sessions, events: all.events, bounces: all.bounces, totalDuration: all.totalDuration,
            durations: &all.durations)
        var result = SessionsResult(total: total, byDay: byDay)
        result.byHour = byHour
        return result
    }

    /// The stats of the sessions grouped by `keys` (one per session), in key order, keys without
    /// sessions left out: a counting sort over the key range.
    static func group(_ all: Partial, keys: [Int32]) -> [(Int64, SessionsResult.Stats)] {
        guard let lo = keys.min(), let hi = keys.max() else { return [] }
        let sessions = keys.count
        let span = Int(hi) - Int(lo) + 1
        var starts = [Int](repeating: 0, count: span + 1)
        for d in keys { starts[Int(d - lo) + 1] += 1 }
        for i in 0..<span { starts[i + 1] += starts[i] }
        var cursor = starts
        var durations = [Int64](repeating: 0, count: sessions)
        var events = [Int](repeating: 0, count: span)
        var bounces = [Int](repeating: 0, count: span)
        for k in 0..<sessions {
            let slot = Int(keys[k] - lo)
            durations[cursor[slot]] = all.durations[k]
            cursor[slot] += 1
            events[slot] += Int(all.eventCounts[k])
            if all.eventCounts[k] == 1 { bounces[slot] += 1 }
        }
        var out: [(Int64, SessionsResult.Stats)] = []
        for slot in 0..<span where starts[slot + 1] > starts[slot] {
            var slice = Array(durations[starts[slot]..<starts[slot + 1]])
            let stats = SessionsResult.Stats(
                sessions: slice.count, events: events[slot], bounces: bounces[slot],
                totalDuration: slice.reduce(0, +), durations: &slice)
            out.append((Int64(lo) + Int64(slot), stats))
        }
        return out
    }
}
