/// Maps event times to local days or hours of a `TimeZoneOffset` on the hot path: the offset is
/// looked up once per zone segment (a span without a transition), not per event, by keeping the
/// bounds of the segment last used. Events come roughly in time order, so almost every call is
/// two comparisons, an addition and a division.
struct TimeBucketer {
    enum Unit: Sendable {
        case hour, day

        var milliseconds: Int64 { self == .hour ? 3_600_000 : 86_400_000 }
    }

    let zone: TimeZoneOffset
    let unit: Int64
    private var lower = Int64.max
    private var upper = Int64.min
    private var offset: Int64 = 0

    init(zone: TimeZoneOffset, unit: Unit) {
        self.zone = zone
        self.unit = unit.milliseconds
    }

    /// The local bucket number (days or hours since 1970-01-01 local) of `ts`.
    @inline(__always)
    mutating func bucket(_ ts: Int64) -> Int64 {
        if ts < lower || ts >= upper { enter(ts) }
        return floorDiv(ts &+ offset, unit)
    }

    /// Bounds of the buckets of every instant in `minTs...maxTs`: the local times lie between
    /// the instants plus the smallest and the largest offset in use over the range (buckets are
    /// not monotonic in `ts` across a transition back).
    func bucketRange(_ minTs: Int64, _ maxTs: Int64) -> ClosedRange<Int64> {
        var low = Int64.max
        var high = Int64.min
        for i in zone.segment(containing: minTs)...zone.segment(containing: maxTs) {
            low = min(low, zone.segmentOffsets[i])
            high = max(high, zone.segmentOffsets[i])
        }
        return floorDiv(minTs &+ low, unit)...floorDiv(maxTs &+ high, unit)
    }

    private mutating func enter(_ ts: Int64) {
        let i = zone.segment(containing: ts)
        lower = zone.segmentStarts[i]
        upper = i + 1 < zone.segmentStarts.count ? zone.segmentStarts[i + 1] : Int64.max
        offset = zone.segmentOffsets[i]
    }

    /// `YYYY-MM-DD` of a local day number.
    static func dayLabel(_ day: Int64) -> String {
        let (y, m, d) = RFC3339.civil(fromDays: Int(day))
        return pad(y, 4) + "-" + pad(m, 2) + "-" + pad(d, 2)
    }

    /// `YYYY-MM-DDTHH:00` of a local hour number.
    static func hourLabel(_ hour: Int64) -> String {
        dayLabel(floorDiv(hour, 24)) + "T" + pad(Int(hour - floorDiv(hour, 24) * 24), 2) + ":00"
    }

    static func label(_ bucket: Int64, unit: Unit) -> String {
        unit == .day ? dayLabel(bucket) : hourLabel(bucket)
    }

    private static func pad(_ v: Int, _ width: Int) -> String {
        let s = String(v)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }
}

import ClicklogEvents
