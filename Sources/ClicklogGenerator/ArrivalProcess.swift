/// When new visitors arrive: a Poisson process following the daily cycle, whose rate is steered
/// so that the visitors' events fill the time window evenly and add up to exactly the requested
/// number.
///
/// The controller knows two things: how many events the visitors spawned so far will still
/// produce in the window (each visitor's plan counts them when it arrives), and how many
/// in-window events one more arrival at time t brings on average, e(t) (from
/// `LifetimeProfile`). From those, at every arrival, the rate is set to
/// `remaining events / R(t)` with `R(t) = ∫ₜ^end weight(s)·e(s) ds`, the in-window events per
/// unit of rate still to come. Early surpluses (a visitor with two thousand events) lower the
/// rate for the rest of the window instead of ending it early; the rate rises near the end only
/// if it has to.
///
/// Arrivals start `burnIn` before the window, so that returning visitors already exist at its
/// first hour; their visits before the window are not written.
struct ArrivalProcess: Sendable {
    let window: Range<Int64>
    /// Start of the first hour slot: `burnIn` before the window, on a whole UTC hour.
    let origin: Int64
    /// Relative arrival intensity of each hour slot from `origin` (the daily cycle, mean 1).
    private let weight: [Double]
    /// weight × e for each hour slot: expected in-window events per millisecond at unit rate.
    private let density: [Double]
    /// R at the start of each slot (one more entry, 0, at the end).
    private let remainingWeight: [Double]
    /// Time of the next arrival.
    private(set) var next: Int64

    init(window: Range<Int64>) {
        self.window = window
        let hour = TrafficModel.hour
        let profile = LifetimeProfile.shared
        // Start early enough to see 98 % of a visitor's events, within 1 to 60 days.
        let burnIn = min(max(profile.quantile(0.98), TrafficModel.day), 60 * TrafficModel.day)
        origin = (window.lowerBound - burnIn) / hour * hour
        let slots = Int((window.upperBound - origin + hour - 1) / hour)
        let cycle = TrafficModel.hourlyWeights.map(Double.init)
        let meanCycle = cycle.reduce(0, +) / Double(cycle.count)

        var weight = [Double](repeating: 0, count: slots)
        var density = [Double](repeating: 0, count: slots)
        var remaining = [Double](repeating: 0, count: slots + 1)
        for j in stride(from: slots - 1, through: 0, by: -1) {
            let slotStart = origin + Int64(j) * hour
            let slotEnd = min(slotStart + hour, window.upperBound)
            let mid = (slotStart + slotEnd) / 2
            // Events at offsets o with window.lowerBound <= mid + o < window.upperBound.
            let inWindow = profile.events(before: window.upperBound - mid) - profile.events(before: window.lowerBound - mid)
            weight[j] = cycle[Int((slotStart / hour) % 24)] / meanCycle
            density[j] = weight[j] * inWindow
            remaining[j] = remaining[j + 1] + density[j] * Double(slotEnd - slotStart)
        }
        self.weight = weight
        self.density = density
        self.remainingWeight = remaining
        next = origin
    }

    /// Draws the arrival after the current one, for `remainingEvents` still to be planned.
    ///
    /// Never goes past the window's end: where the process would, it halves the rest of the
    /// window instead, so that a shortfall is made up by visitors arriving in the last moments.
    mutating func advance(remainingEvents: Int, _ rng: inout Xoshiro256StarStar) {
        let hour = TrafficModel.hour
        let end = window.upperBound
        var t = next
        var slot = Int((t - origin) / hour)
        var x = DeterministicMath.exponential(&rng)
        if slot < density.count {
            let slotEnd = min(origin + Int64(slot + 1) * hour, end)
            let r = remainingWeight[slot + 1] + density[slot] * Double(slotEnd - t)
            let rate = Double(remainingEvents) / r
            if r > 0, rate.isFinite {
                while slot < weight.count {
                    let slotEnd = min(origin + Int64(slot + 1) * hour, end)
                    let perMs = rate * weight[slot]
                    let capacity = perMs * Double(slotEnd - t)
                    if x < capacity {
                        next = min(t + Int64(x / perMs), slotEnd - 1)
                        return
                    }
                    x -= capacity
                    t = slotEnd
                    slot += 1
                }
            }
        }
        next += max(0, end - next) / 2
    }
}
