import ClicklogEvents
@testable import ClicklogQuery
import Testing

/// The semantics written as plainly as possible over `[Event]`, to check the engine against on
/// random data: dictionaries, sorts, one match at a time.
enum Reference {
    static func kept(_ events: [Event], range: TimeRange, site: String?) -> [(Int, Event)] {
        events.enumerated().filter { range.contains($0.element.ts) && (site == nil || $0.element.site == site) }
    }

    static func sessions(_ events: [Event], idle: Int64, zone: TimeZoneOffset, range: TimeRange, site: String?) -> (Int, Int, Int64, [String: Int]) {
        var byVisitor: [String: [Int64]] = [:]
        for (_, e) in kept(events, range: range, site: site) { byVisitor[e.site + "\u{0}" + e.anonymousID, default: []].append(e.ts) }
        var sessions = 0, bounces = 0
        var total: Int64 = 0
        var days: [String: Int] = [:]
        for (_, times) in byVisitor {
            let ts = times.sorted()
            var start = ts[0], last = ts[0], n = 1
            func close() {
                sessions += 1
                total += last - start
                if n == 1 { bounces += 1 }
                days[TimeBucketer.dayLabel(zone.localDay(start)), default: 0] += 1
            }
            for t in ts.dropFirst() {
                if t - last > idle { close(); start = t; n = 0 }
                n += 1
                last = t
            }
            close()
        }
        return (sessions, bounces, total, days)
    }

    static func funnelLevels(_ events: [Event], steps: [FunnelStep], window: Int64, by: FunnelKey, range: TimeRange, site: String?) -> [Int] {
        var matches: [String: [(Int64, Int)]] = [:]
        for (_, e) in kept(events, range: range, site: site) {
            let key: String
            if by == .user {
                guard let u = e.userID, !u.isEmpty else { continue }
                key = e.site + "\u{0}" + u
            } else {
                key = e.site + "\u{0}" + e.anonymousID
            }
            for (i, step) in steps.enumerated() where Reference.matches(step, e) { matches[key, default: []].append((e.ts, i)) }
        }
        var counts = [Int](repeating: 0, count: steps.count)
        for (_, list) in matches {
            var chains = [(start: Int64, last: Int64)?](repeating: nil, count: steps.count)
            for (ts, i) in list.sorted(by: { ($0.0, $0.1) < ($1.0, $1.1) }) {
                if i == 0 {
                    chains[0] = (ts, ts)
                } else if let previous = chains[i - 1], ts <= previous.start + window {
                    chains[i] = (previous.start, ts)
                }
            }
            let level = (chains.lastIndex { $0 != nil } ?? -1) + 1
            for i in 0..<level { counts[i] += 1 }
        }
        return counts
    }

    static func matches(_ step: FunnelStep, _ e: Event) -> Bool {
        guard e.event == step.event else { return false }
        if let glob = step.path { guard let url = e.url, glob.matches(URLParts.path(url)) else { return false } }
        if let glob = step.selector { guard let s = e.selector, glob.matches(s) else { return false } }
        for (key, value) in step.props {
            guard let p = e.props.first(where: { $0.key == key }), p.kind != .null, p.value == value else { return false }
        }
        return true
    }

    static func top(_ events: [Event], dimension: Dimension, range: TimeRange, site: String?) -> [TopResult.Row] {
        var counts: [String: (Int, Set<String>)] = [:]
        for (_, e) in kept(events, range: range, site: site) {
            let value: String?
            switch dimension {
            case .path: value = e.url.map(URLParts.path)
            case .event: value = e.event
            case .referrerHost: value = e.referrer.flatMap(URLParts.host)
            default: fatalError("not in the random data")
            }
            guard let value else { continue }
            counts[value, default: (0, [])].0 += 1
            counts[value, default: (0, [])].1.insert(e.site + "\u{0}" + e.anonymousID)
        }
        return counts.map { TopResult.Row(value: $0.key, events: $0.value.0, uniqueVisitors: $0.value.1.count) }
            .sorted { $0.events != $1.events ? $0.events > $1.events : byteOrder($0.value, $1.value) }
    }

    static func counts(_ events: [Event], zone: TimeZoneOffset, range: TimeRange, site: String?) -> [CountsResult.Row] {
        var counts: [String: Int] = [:]
        for (_, e) in kept(events, range: range, site: site) {
            counts[TimeBucketer.hourLabel(zone.localHour(e.ts)) + "|" + e.event, default: 0] += 1
        }
        return counts.sorted { byteOrder($0.key, $1.key) }.map {
            let parts = $0.key.split(separator: "|")
            return CountsResult.Row(interval: String(parts[0]), key: String(parts[1]), events: $0.value)
        }
    }
}

@Suite struct ReferenceTests {
    /// Clustered times (multiples of 15 min, some ±1 ms) so that ties, exact idle gaps and exact
    /// windows all occur; out-of-order arrival; two sites; a few users.
    static func randomEvents(seed: UInt64, count: Int) -> [Event] {
        var rng = SeededRandomForTests(seed: seed)
        let base = at("2025-03-29T20:00:00Z")
        let names = ["A", "B", "C", "page_view"]
        let urls = ["https://shop.example/product/1?x=1", "https://shop.example/product/2", "/checkout", "https://shop.example", "/cart#x"]
        let referrers = [nil, "https://www.google.com/x", "https://news.example/", "android-app://x"]
        return (0..<count).map { _ in
            let ts = base + Int64(rng.next() % 40) * 15 * minute + [0, 0, 0, 1, -1][Int(rng.next() % 5)]
            let visitor = "v\(rng.next() % 25)"
            return ev(
                names[Int(rng.next() % 4)], ts, visitor, site: rng.next() % 4 == 0 ? "blog" : "shop",
                url: rng.next() % 6 == 0 ? nil : urls[Int(rng.next() % 5)],
                referrer: referrers[Int(rng.next() % 4)],
                user: rng.next() % 3 == 0 ? "u\(rng.next() % 5)" : nil,
                props: rng.next() % 2 == 0 ? ["plan": ["pro", "free"][Int(rng.next() % 2)]] : [:])
        }
    }

    static let cases: [(seed: UInt64, blockRows: Int, threads: Int)] = [(1, 1, 1), (2, 7, 2), (3, 64, 3), (4, 1000, 2), (5, 13, 4)]

    @Test(arguments: cases)
    func sessionsAgreeWithTheReference(seed: UInt64, blockRows: Int, threads: Int) throws {
        let events = Self.randomEvents(seed: seed, count: 600)
        let zone = TimeZoneOffset("Europe/Berlin")!
        for (range, site) in [(TimeRange(), nil), (TimeRange(from: at("2025-03-29T22:00:00Z"), to: at("2025-03-30T02:00:00Z")), "shop")] {
            let r = try engine(events, blockRows: blockRows, range: range, site: site, zone: zone, threads: threads).sessions(SessionsQuery())
            let (sessions, bounces, total, days) = Reference.sessions(events, idle: 30 * minute, zone: zone, range: range, site: site)
            #expect(r.total.sessions == sessions)
            #expect(r.total.bounces == bounces)
            #expect(r.total.meanDurationS == (sessions > 0 ? Double(total) / Double(sessions) / 1000 : nil))
            #expect(Dictionary(uniqueKeysWithValues: r.byDay.map { ($0.day, $0.stats.sessions) }) == days)
        }
    }

    @Test(arguments: cases)
    func funnelsAgreeWithTheReference(seed: UInt64, blockRows: Int, threads: Int) throws {
        let events = Self.randomEvents(seed: seed, count: 600)
        let funnels = [
            steps("A", "B", "C"),
            steps("page_view path=/product/*", "A", "page_view path=/checkout", "B"),
            steps("page_view", "page_view path=/checkout"),
            steps("A prop.plan=pro", "A", "C prop.plan=free"),
        ]
        for s in funnels {
            for (window, by) in [(hour, FunnelKey.visitor), (30 * minute, .visitor), (2 * hour, .user)] {
                let r = try engine(events, blockRows: blockRows, threads: threads).funnel(FunnelQuery(steps: s, window: window, by: by))
                #expect(r.steps.map(\.count) == Reference.funnelLevels(events, steps: s, window: window, by: by, range: TimeRange(), site: nil),
                        "\(s.map(\.text)) window \(window) by \(by)")
            }
        }
        let range = TimeRange(from: at("2025-03-29T23:00:00Z"))
        let r = try engine(events, blockRows: blockRows, range: range, site: "shop", threads: threads).funnel(FunnelQuery(steps: funnels[0]))
        #expect(r.steps.map(\.count) == Reference.funnelLevels(events, steps: funnels[0], window: hour, by: .visitor, range: range, site: "shop"))
    }

    @Test(arguments: cases)
    func topAndCountsAgreeWithTheReference(seed: UInt64, blockRows: Int, threads: Int) throws {
        let events = Self.randomEvents(seed: seed, count: 600)
        for dimension in [Dimension.path, .event, .referrerHost] {
            let r = try engine(events, blockRows: blockRows, threads: threads).top(TopQuery(dimension: dimension, limit: 3))
            #expect(r.rows == Array(Reference.top(events, dimension: dimension, range: TimeRange(), site: nil).prefix(3)))
        }
        let zone = TimeZoneOffset("Europe/Berlin")!
        let c = try engine(events, blockRows: blockRows, site: "blog", zone: zone, threads: threads).counts(CountsQuery(interval: .hour, by: .event))
        #expect(c.rows == Reference.counts(events, zone: zone, range: TimeRange(), site: "blog"))
    }
}

/// SplitMix64, so the random cases are the same on every run.
struct SeededRandomForTests: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state = state &+ 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
