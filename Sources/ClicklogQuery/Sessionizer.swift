/// Splits the grouped events of visitors into sessions (sorting a visitor's times first when
/// they arrived out of order), and sums sessions up into `SessionsResult`.
///
/// The ordered pass (`BlockSessions`, `SessionJoin`) finds the sessions of every visitor whose
/// events arrive in `ts` order; `walk` is the fallback for the others, over their events grouped
/// by `VisitorGroups`, on several threads (each takes a range of visitors with about equal events).
struct Sessionizer {
    let idle: Int64
    let zone: TimeZoneOffset
    /// The unit of the session buckets: local days, or local hours (days are then hour / 24,
    /// since a local day is 24 local clock hours).
    let bucket: SessionsQuery.Bucket
    let budget: MemoryBudget

    var unit: TimeBucketer.Unit { bucket == .hour ? .hour : .day }

    /// The sessions of every visitor in `groups`.
    func walk(_ groups: VisitorGroups, threads: Int) throws -> SessionList {
        let ranges = groups.visitorRanges(threads: threads)
        let partials = UnsafeSlots(count: ranges.count, initial: Result<SessionList, any Error>.success(SessionList()))
        var groups = groups
        groups.ts.withUnsafeMutableBufferPointer { ts in
            let tsBox = UncheckedBox(ts)
            let starts = groups.starts
            parallelFor(threads: ranges.count) { r in
                partials.set(r, Result { try walk(ranges[r], starts: starts, ts: tsBox.value) })
            }
        }
        var all = SessionList()
        for result in partials.values { all.append(contentsOf: try result.get()) }
        return all
    }

    /// Sessions of the visitors in `range`; sorts a visitor's times first if they arrived out of order.
    func walk(_ range: Range<Int>, starts: [UInt32], ts: UnsafeMutableBufferPointer<Int64>) throws -> SessionList {
        var p = SessionList()
        var reserved = 0
        var bucketer = TimeBucketer(zone: zone, unit: unit)
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
            var n: Int32 = 1
            for i in (lo + 1)..<hi {
                let t = ts[i]
                if t - last > idle {
                    p.append(start: start, last: last, events: n, bucket: bucketer.bucket(start), visitor: nil)
                    start = t
                    n = 0
                }
                n &+= 1
                last = t
            }
            p.append(start: start, last: last, events: n, bucket: bucketer.bucket(start), visitor: nil)
            if p.count > reserved {
                try budget.reserve(chunk * SessionList.bytesPerSession, what: "session durations")
                reserved += chunk
            }
        }
        return p
    }

    /// Totals, per day and (with hour buckets) per hour. The overall median (a selection over
    /// every session) runs on a second thread beside the per-day ones: it was the largest
    /// step left after the scan.
    func summarize(_ all: inout SessionList) -> SessionsResult {
        var events = 0
        var bounces = 0
        for n in all.eventCounts {
            events += Int(n)
            if n == 1 { bounces += 1 }
        }
        let sessions = all.count
        let totalDuration = all.durations.reduce(0, +)
        var byHour: [SessionsResult.Hour] = []
        var byDay: [SessionsResult.Day] = []
        var total: SessionsResult.Stats?
        let grouped = UncheckedBox(all)
        withUnsafeMutablePointer(to: &all.durations) { durations in
            let shared = UncheckedBox(durations)
            parallelFor(threads: 2) { thread in
                if thread == 1 {
                    total = SessionsResult.Stats(
                        sessions: sessions, events: events, bounces: bounces, totalDuration: totalDuration, durations: &shared.value.pointee)
                    return
                }
                var days = grouped.value.buckets
                if bucket == .hour {
                    byHour = Self.group(grouped.value, keys: days).map { SessionsResult.Hour(hour: TimeBucketer.hourLabel($0), stats: $1) }
                    for k in days.indices { days[k] = Int32(floorDiv(Int64(days[k]), 24)) }
                }
                byDay = Self.group(grouped.value, keys: days).map { SessionsResult.Day(day: TimeBucketer.dayLabel($0), stats: $1) }
            }
        }
        var result = SessionsResult(total: total!, byDay: byDay)
        result.byHour = byHour
        return result
    }

    /// The stats of the sessions grouped by `keys` (one per session), in key order, keys without
    /// sessions left out: a counting sort over the key range.
    static func group(_ all: SessionList, keys: [Int32]) -> [(Int64, SessionsResult.Stats)] {
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
