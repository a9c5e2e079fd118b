import ClicklogQuery
import Foundation

/// The day a report covers, as `YYYY-MM-DD`, and its neighbours. A day is cut at midnight in
/// each saved query's `tz` (UTC when it has none), as `--from YYYY-MM-DD` cuts it.
public struct ReportDay: Sendable, Equatable, CustomStringConvertible {
    /// Epoch ms of the day's UTC midnight; only used to name days.
    let midnight: Int64
    static let dayMillis: Int64 = 86_400_000

    /// `yesterday`, `today` or `YYYY-MM-DD`; `now` (epoch ms) anchors the relative forms.
    public init(_ text: String, now: Int64 = Int64(Date().timeIntervalSince1970 * 1000)) throws {
        let isDate = text.count == 10 && text.allSatisfy { $0.isNumber || $0 == "-" }
        guard isDate || text == "yesterday" || text == "today",
              let ms = TimeExpression.milliseconds(text, now: now, zone: .utc)
        else { throw ReportError.badInput("--date must be yesterday, today or YYYY-MM-DD, got '\(text)'") }
        midnight = ms - ((ms % Self.dayMillis) + Self.dayMillis) % Self.dayMillis
    }

    private init(midnight: Int64) { self.midnight = midnight }

    public func adding(days: Int) -> ReportDay { ReportDay(midnight: midnight + Int64(days) * Self.dayMillis) }

    /// `YYYY-MM-DD`.
    public var description: String {
        let days = midnight / Self.dayMillis
        // Civil from days (Howard Hinnant's algorithm), proleptic Gregorian.
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        return String(format: "%04d-%02d-%02d", Int(y), Int(m), Int(d))
    }
}
