import ClicklogGenerator
import Testing

/// The checkout funnel of semantics.md, computed the way ClickHouse's `windowFunnel` does, on the
/// generated traffic.
@Suite struct GeneratedFunnelTests {
    typealias Step = @Sendable (ParsedEvent) -> Bool

    static let checkout: [Step] = [
        { $0.event == "page_view" && $0.path?.hasPrefix("/product/") == true },
        { $0.event == "add_to_cart" },
        { $0.event == "page_view" && $0.path == "/checkout" },
        { $0.event == "purchase" },
    ]

    @Test func checkoutFunnelConvertsLikeAShop() {
        let counts = Self.funnel(Self.checkout, window: TrafficModelConstants.hour)
        let rates = counts.map { Double($0) / Double(counts[0]) }
        #expect(counts[0] > 2_000, "\(counts)")
        #expect(zip(counts, counts.dropFirst()).allSatisfy { $0 > $1 }, "\(counts)")
        // About 100 % → 30 % → 15 % → 8 %.
        #expect((0.2...0.45).contains(rates[1]), "\(rates)")
        #expect((0.09...0.25).contains(rates[2]), "\(rates)")
        #expect((0.04...0.14).contains(rates[3]), "\(rates)")
    }

    @Test func windowFunnelRestartsAtTheLatestFirstStep() {
        // semantics.md's example: window 1 h, A 0:00, A 0:40, B 0:50, C 1:10 reaches level 3.
        let minute = TrafficModelConstants.minute
        let events = [("A", 0), ("A", 40), ("B", 50), ("C", 70)].map { name, at in
            var e = ParsedEvent(json: [:])
            e.event = name
            e.ts = Int64(at) * minute
            return e
        }
        let steps: [Step] = [{ $0.event == "A" }, { $0.event == "B" }, { $0.event == "C" }]
        #expect(Self.level(of: events, steps, window: TrafficModelConstants.hour) == 3)
    }

    /// Visitors reaching each step.
    static func funnel(_ steps: [Step], window: Int64) -> [Int] {
        var counts = [Int](repeating: 0, count: steps.count)
        for events in GeneratedTraffic.byVisitor.values {
            let level = level(of: events, steps, window: window)
            for i in 0..<level { counts[i] += 1 }
        }
        return counts
    }

    /// semantics.md's windowFunnel level of one visitor's events (in `ts` order).
    static func level(of events: [ParsedEvent], _ steps: [Step], window: Int64) -> Int {
        var start = [Int64?](repeating: nil, count: steps.count)
        for e in events {
            for (i, matches) in steps.enumerated() where matches(e) {
                if i == 0 {
                    start[0] = e.ts
                } else if let chain = start[i - 1], e.ts <= chain + window {
                    start[i] = chain
                }
            }
        }
        return (start.lastIndex { $0 != nil } ?? -1) + 1
    }
}
