/// The shape of the generated traffic: how many visits a visitor makes, how long a visit is,
/// how long people think between actions, how long they stay away, and when in the day they
/// arrive. Every number here is a documented default, chosen to look like a small web shop.
struct TrafficModel: Sendable {
    static let second: Int64 = 1000
    static let minute: Int64 = 60 * second
    static let hour: Int64 = 60 * minute
    static let day: Int64 = 24 * hour
    /// The idle gap after which a new session starts (semantics.md, `--idle` default).
    static let sessionIdle: Int64 = 30 * minute

    /// Most visits one visitor makes. With P(k) ∝ 1/k² about 61 % of visitors come once and
    /// the mean is about 3.6 visits; the cap keeps one visitor from dominating a small file.
    static let maxVisits = 200

    /// Visits per visitor, heavy-tailed: Zipf with exponent 2 over 1…`maxVisits`.
    let visitsPerVisitor = AliasTable.zipf(count: maxVisits, exponent: .two)

    /// Events per visit: about a quarter are bounces (one page view), the median is about five
    /// and the tail reaches 80, mean ≈ 10.
    let visitLength = RangeMixture([
        (26, 1...1), (9, 2...2), (12, 3...4), (19, 5...8), (18, 9...16), (11, 17...32), (5, 33...80),
    ])

    /// Think time between two actions of a visit, 1 s to 10 min (median ≈ 20 s). Always at least
    /// a second, so that the sub-second latencies of follow-up events fit inside it, and always
    /// far below 30 min, so that a visit never splits into two sessions by itself.
    let eventGap = RangeMixture([
        (10, 1 * second...3 * second), (25, 3 * second + 1...10 * second),
        (30, 10 * second + 1...30 * second), (17, 30 * second + 1...minute),
        (12, minute + 1...3 * minute), (6, 3 * minute + 1...10 * minute),
    ])

    /// Idle gaps before a return visit, by how many visits the visitor makes in all (see
    /// `idleGapClass`): frequent visitors come back sooner.
    private let idleGaps: [RangeMixture]

    /// Relative arrival rate for each UTC hour: a night trough at 03:00–04:00 and an evening
    /// peak at 19:00–20:00, about 7× the trough, as European shop traffic looks in UTC.
    static let hourlyWeights: [Int] = [
        50, 35, 25, 20, 20, 25, 35, 50, 65, 75, 80, 85,
        90, 95, 100, 105, 110, 120, 130, 140, 145, 130, 100, 75,
    ]

    init() {
        idleGaps = [2, 3, 6, 15, 50, 150].map(Self.idleGapMixture(visits:))
    }

    /// Picks an hour of the day by `hourlyWeights`.
    private let hourOfDay = AliasTable(weights: hourlyWeights.map(Double.init))

    /// The idle gap (last event of a visit to the first of the next) after a visit that ended at
    /// `now`, for a visitor who makes `visits` visits in all.
    ///
    /// A visitor who comes back a day or more later comes back at a time of day drawn from the
    /// daily cycle (people shop in the evening every day), so the cycle shows in all traffic,
    /// not only in first visits.
    @inline(__always)
    func idleGap(after now: Int64, visits: Int, _ rng: inout Xoshiro256StarStar) -> Int64 {
        let gap = idleGaps[Self.idleGapClass(visits: visits)].sample(&rng)
        guard gap > 12 * Self.hour else { return gap }
        let target = now + gap
        let snapped = target - ((target % Self.day) + Self.day) % Self.day + timeOfDay(&rng)
        return snapped - now > 12 * Self.hour ? snapped - now : snapped + Self.day - now
    }

    /// A time of day (ms after midnight UTC) following the daily cycle.
    @inline(__always)
    func timeOfDay(_ rng: inout Xoshiro256StarStar) -> Int64 {
        Int64(hourOfDay.sample(&rng)) * Self.hour + rng.inRange(0...Self.hour - 1)
    }

    private static func idleGapClass(visits: Int) -> Int {
        switch visits {
        case ...2: 0
        case 3...4: 1
        case 5...9: 2
        case 10...29: 3
        case 30...99: 4
        default: 5
        }
    }

    /// About 16 % of return visits come back within 25–40 minutes, on both sides of the 30 min
    /// session boundary, and 0.5 % after exactly 30 min (which stays in the session): sessions
    /// logic gets exercised at its edge. The rest come back after hours, or after days; visitors
    /// with many visits return sooner, so that most lifetimes stay within a few weeks.
    private static func idleGapMixture(visits k: Int) -> RangeMixture {
        let daysShare = 50 * min(1, 6 / Double(k))
        let span = max(12 * hour, 30 * day / Int64(k))
        return RangeMixture([
            (8, 25 * minute...sessionIdle - 1),
            (0.5, sessionIdle...sessionIdle),
            (8, sessionIdle + 1...40 * minute),
            (14, 40 * minute + 1...2 * hour),
            (12, 2 * hour + 1...6 * hour),
            (8 + (50 - daysShare), 6 * hour + 1...12 * hour),
            (daysShare, 12 * hour + 1...12 * hour + span),
        ])
    }
}
