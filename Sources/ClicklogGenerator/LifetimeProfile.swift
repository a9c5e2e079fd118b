/// How a visitor's events spread over time after it arrives: the expected number of events
/// within the first x of its life, for any x. The arrival process needs it to know how many of a
/// visitor's events land in the window when it arrives at a given time.
///
/// Measured once per process by running schedules, with as little sampling noise as cheaply
/// possible, because every percent of error here shows as a slope in the traffic over the
/// window (the controller under- or overspends its budget as the window goes on):
/// - stratified by the number of visits, each stratum weighted by its probability: a plain
///   sample is dominated by the few visitors with a hundred visits;
/// - each visit counts its expected number of events at its start, so only the timing is
///   sampled, not the visit lengths (whose noise was several percent);
/// - arrival times follow the daily cycle, as real arrivals do, since returns after a day or
///   more are drawn to the cycle too.
struct LifetimeProfile: Sendable {
    /// Resolution of the profile; the arrival process works in whole hours.
    static let bucket = TrafficModel.minute

    static let shared = LifetimeProfile(model: TrafficModel())

    /// `cumulative[i]`: expected events with an offset below `i` buckets.
    private let cumulative: [Double]

    /// Expected events in a visitor's whole life.
    var total: Double { cumulative[cumulative.count - 1] }

    init(model: TrafficModel) {
        var seeds = Xoshiro256StarStar(seed: 0x636C_6963_6B6C_6F67)
        var weights = (1...TrafficModel.maxVisits).map { 1 / Double($0 * $0) }
        let weightSum = weights.reduce(0, +)
        weights = weights.map { $0 / weightSum }
        var histogram: [Double] = []
        for visits in 1...TrafficModel.maxVisits {
            let runs = visits < 32 ? 64 / visits + 2 : 2
            let perVisit = weights[visits - 1] / Double(runs) * model.visitLength.mean
            for _ in 0..<runs {
                var rng = Xoshiro256StarStar(seed: seeds.next())
                let arrival = 10 * TrafficModel.day + model.timeOfDay(&rng)
                var schedule = VisitSchedule(seed: rng.next(), arrival: arrival, visits: visits, model: model)
                var step = VisitSchedule.Step.newVisit(gap: 0)
                repeat {
                    if case .newVisit = step {
                        let i = Int((schedule.plannedTs - arrival) / Self.bucket)
                        if i >= histogram.count { histogram += [Double](repeating: 0, count: i + 1 - histogram.count) }
                        histogram[i] += perVisit
                    }
                    step = schedule.advance(model)
                } while step != .finished
            }
        }
        var running = 0.0
        cumulative = [0] + histogram.map { running += $0; return running }
    }

    /// Expected events with an offset from arrival below `offset` ms.
    func events(before offset: Int64) -> Double {
        guard offset > 0 else { return 0 }
        return cumulative[min(Int(offset / Self.bucket), cumulative.count - 1)]
    }

    /// The offset before which a `fraction` of a visitor's events happen.
    func quantile(_ fraction: Double) -> Int64 {
        let target = fraction * total
        let i = cumulative.firstIndex { $0 >= target } ?? cumulative.count - 1
        return Int64(i) * Self.bucket
    }
}
