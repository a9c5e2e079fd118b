import ClicklogEvents
import Foundation

/// The zone of `--tz`: UTC, a fixed offset (`+01:00`, `-0530`) or an IANA name (`Europe/Berlin`).
///
/// Named zones are resolved through Foundation's `TimeZone` once per offset change, never per
/// event: `init` lists the zone's transitions over the years a query can touch (2000 to 30
/// years from now, see `coveredYears`) as `(from, offset)` segments, and `offset(atUTC:)` is a
/// binary search over them. Outside the covered years the offset of the nearest edge is used.
public struct TimeZoneOffset: Sendable, Equatable, CustomStringConvertible {
    public static let acceptedForms = "UTC, a fixed offset (+01:00, -05:30, +0100), or an IANA zone name (Europe/Berlin)"
    public static let utc = TimeZoneOffset(name: "UTC", segmentStarts: [Int64.min], segmentOffsets: [0])

    /// The name as given (`UTC`, `+01:00`, `Europe/Berlin`).
    public let name: String
    /// `segmentStarts[i]` (epoch ms, ascending, the first is `Int64.min`) starts a span with
    /// offset `segmentOffsets[i]` (ms to add to UTC to get local time).
    let segmentStarts: [Int64]
    let segmentOffsets: [Int64]

    /// First and last year whose transitions a named zone lists.
    static let coveredYears = 2000...(Calendar(identifier: .gregorian).component(.year, from: Date()) + 30)

    private init(name: String, segmentStarts: [Int64], segmentOffsets: [Int64]) {
        self.name = name
        self.segmentStarts = segmentStarts
        self.segmentOffsets = segmentOffsets
    }

    /// A fixed offset east of UTC, in minutes.
    public init(name: String, minutesEast: Int) {
        self.init(name: name, segmentStarts: [Int64.min], segmentOffsets: [Int64(minutesEast) * 60_000])
    }

    /// Parses `text` in one of `acceptedForms`; nil when it is none of them.
    public init?(_ text: String) {
        if ["UTC", "utc", "Z", "z", "GMT", "Etc/UTC"].contains(text) {
            self = .utc
            return
        }
        if let minutes = Self.fixedOffsetMinutes(text) {
            self.init(name: text, minutesEast: minutes)
            return
        }
        guard text.contains("/") || text.uppercased() == text, let zone = TimeZone(identifier: text) else { return nil }
        self.init(zone: zone, name: text)
    }

    /// Lists the transitions of `zone` over `coveredYears`.
    public init(zone: TimeZone, name: String) {
        let first = RFC3339.daysFromCivil(year: Self.coveredYears.lowerBound, month: 1, day: 1)
        let last = RFC3339.daysFromCivil(year: Self.coveredYears.upperBound + 1, month: 1, day: 1)
        var date = Date(timeIntervalSince1970: Double(first) * 86_400)
        let end = Date(timeIntervalSince1970: Double(last) * 86_400)
        var starts: [Int64] = [Int64.min]
        var offsets: [Int64] = [Int64(zone.secondsFromGMT(for: date)) * 1000]
        while let next = zone.nextDaylightSavingTimeTransition(after: date), next < end, next > date {
            let offset = Int64(zone.secondsFromGMT(for: next)) * 1000
            if offset != offsets.last {
                starts.append(Int64((next.timeIntervalSince1970 * 1000).rounded()))
                offsets.append(offset)
            }
            date = next
        }
        self.init(name: name, segmentStarts: starts, segmentOffsets: offsets)
    }

    public var description: String { name }

    /// Whether the offset never changes (UTC and fixed offsets, or a zone without DST).
    public var isFixed: Bool { segmentOffsets.count == 1 }

    /// Milliseconds to add to the UTC instant `ms` to get local wall-clock time.
    public func offset(atUTC ms: Int64) -> Int64 { segmentOffsets[segment(containing: ms)] }

    /// Index of the segment holding `ms`.
    func segment(containing ms: Int64) -> Int {
        var lo = 0
        var hi = segmentStarts.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if segmentStarts[mid] <= ms { lo = mid } else { hi = mid - 1 }
        }
        return lo
    }

    /// The UTC instant at which the local day holding `ms` starts.
    public func startOfDay(containing ms: Int64) -> Int64 {
        let day = localDay(ms)
        return utcInstant(localMilliseconds: day * 86_400_000)
    }

    /// Local days since 1970-01-01 of the instant `ms`.
    public func localDay(_ ms: Int64) -> Int64 { floorDiv(ms + offset(atUTC: ms), 86_400_000) }

    /// Local hours since 1970-01-01T00:00 of the instant `ms`.
    public func localHour(_ ms: Int64) -> Int64 { floorDiv(ms + offset(atUTC: ms), 3_600_000) }

    /// The UTC instant of a local wall-clock time; in a gap (spring forward) the instant just
    /// after it, in an overlap (fall back) the earlier one.
    public func utcInstant(localMilliseconds local: Int64) -> Int64 {
        // Try every offset in use around `local`; the earliest instant that maps back to it wins.
        var best: Int64?
        let i = segment(containing: local)
        for j in max(0, i - 1)...min(segmentOffsets.count - 1, i + 1) {
            let candidate = local - segmentOffsets[j]
            if candidate + offset(atUTC: candidate) == local, best.map({ candidate < $0 }) ?? true { best = candidate }
        }
        if let best { return best }
        // In a gap: the transition that skipped over `local`.
        let candidate = local - segmentOffsets[i]
        let j = segment(containing: candidate)
        return j + 1 < segmentStarts.count ? segmentStarts[j + 1] : candidate
    }

    /// `±HH:MM`, `±HHMM` or `±HH`, in minutes east of UTC.
    static func fixedOffsetMinutes(_ text: String) -> Int? {
        let u = Array(text.utf8)
        guard let sign = u.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") else { return nil }
        let digits = u.dropFirst().filter { $0 != UInt8(ascii: ":") }
        guard digits.count == 2 || digits.count == 4, digits.allSatisfy({ $0 &- 48 < 10 }),
            u.count == 1 + digits.count || (u.count == 6 && u[3] == UInt8(ascii: ":"))
        else { return nil }
        let v = digits.map { Int($0 - 48) }
        let hours = v[0] * 10 + v[1]
        let minutes = digits.count == 4 ? v[2] * 10 + v[3] : 0
        guard hours <= 18, minutes <= 59 else { return nil }
        return (hours * 60 + minutes) * (sign == UInt8(ascii: "-") ? -1 : 1)
    }

    public static func == (a: TimeZoneOffset, b: TimeZoneOffset) -> Bool {
        a.segmentStarts == b.segmentStarts && a.segmentOffsets == b.segmentOffsets
    }
}

/// Division rounding toward negative infinity, for times before 1970.
@inline(__always)
func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
    let q = a / b
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
}
