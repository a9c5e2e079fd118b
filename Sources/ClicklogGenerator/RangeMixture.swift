/// A distribution over integers given as a mixture of uniform ranges: pick a range by weight,
/// then a value uniformly inside it.
///
/// It stands in for the log-normal and Pareto shapes of real think times and idle gaps: a
/// dozen ranges on a roughly logarithmic grid follow those curves closely enough for analytics,
/// need no `exp` or `log` (whose last bit differs between platforms), and make the exact share
/// of each band, such as "idle gap just under 30 minutes", a number one can read and test.
struct RangeMixture: Sendable {
    private let ranges: [ClosedRange<Int64>]
    private let picker: AliasTable
    /// The expected value.
    let mean: Double

    /// `bands` pairs a weight (any unit) with an inclusive range.
    init(_ bands: [(weight: Double, range: ClosedRange<Int64>)]) {
        ranges = bands.map(\.range)
        picker = AliasTable(weights: bands.map(\.weight))
        let total = bands.reduce(0) { $0 + $1.weight }
        mean = bands.reduce(0) { sum, band in
            sum + band.weight / total * (Double(band.range.lowerBound) + Double(band.range.upperBound)) / 2
        }
    }

    @inline(__always)
    func sample(_ rng: inout Xoshiro256StarStar) -> Int64 {
        rng.inRange(ranges[picker.sample(&rng)])
    }
}
