import ClicklogEvents

/// A `from <= ts < to` range on event time, in epoch milliseconds; either end may be open.
public struct TimeRange: Sendable, Equatable {
    public var from: Int64?
    public var to: Int64?

    public init(from: Int64? = nil, to: Int64? = nil) {
        self.from = from
        self.to = to
    }

    public func contains(_ ts: Int64) -> Bool {
        (from.map { ts >= $0 } ?? true) && (to.map { ts < $0 } ?? true)
    }
}

/// Reads the time forms the query flags accept (semantics.md, "Common flags").
public enum TimeExpression {
    public static let acceptedForms = "RFC 3339 (2025-03-03T10:00:00Z), a date (2025-03-03), today, yesterday, or a relative span (7d, 24h, 30m)"

    /// Parses `text` into epoch ms. Dates, `today` and `yesterday` are midnight in `zone`;
    /// relative spans count back from `now`.
    public static func milliseconds(_ text: String, now: Int64, zone: TimeZoneOffset = .utc) -> Int64? {
        switch text {
        case "now": return now
        case "today": return zone.startOfDay(containing: now)
        case "yesterday": return zone.startOfDay(containing: zone.startOfDay(containing: now) - 1)
        default: break
        }
        if let last = text.last, let amount = Int64(text.dropLast()), amount >= 0 {
            let unit: Int64? = switch last {
            case "d": 86_400_000
            case "h": 3_600_000
            case "m": 60_000
            default: nil
            }
            if let unit { return now - amount * unit }
        }
        if text.utf8.count == 10 { return dateOnly(text, zone: zone) }
        return Array(text.utf8).withUnsafeBytes { RFC3339.milliseconds($0) }
    }

    static func dateOnly(_ text: String, zone: TimeZoneOffset) -> Int64? {
        let parts = text.split(separator: "-")
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2])
        else { return nil }
        let days = RFC3339.daysFromCivil(year: y, month: m, day: d)
        guard RFC3339.civil(fromDays: days) == (y, m, d) else { return nil }
        return zone.utcInstant(localMilliseconds: Int64(days) * 86_400_000)
    }
}
