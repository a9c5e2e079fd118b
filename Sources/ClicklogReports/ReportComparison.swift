import ClicklogQuery

/// What a report section compares its day with: the `days` days before it (`compare: Nd` of
/// the saved query), taken as their average day.
///
/// Counts (sessions, events, visitors per funnel step, top-list and counts rows) are the
/// period's divided by `days`, so a week compares with a typical day of it rather than with
/// seven days' worth; rates and means (bounce rate, durations, events per session, conversion)
/// are computed over the whole period as they are, since averaging per-day rates would weigh a
/// quiet day like a busy one.
public struct ReportComparison: Sendable, Equatable {
    /// 1 ... 366, as `SavedQuery.compareDays`.
    public var days: Int

    public init(days: Int) { self.days = days }

    /// The column header of the compared numbers.
    public var header: String { days == 1 ? "previous day" : "avg day, previous \(days) days" }

    /// The header of a rate or mean, which is over the whole period: "previous day", "previous 7 days".
    public var periodHeader: String { days == 1 ? "previous day" : "previous \(days) days" }

    /// A count of the whole period as its average day's.
    public func perDay(_ count: Int) -> Double { Double(count) / Double(days) }

    /// `perDay(count)` for a table cell: a whole number for a single day, two decimals otherwise.
    func cell(_ count: Int) -> String {
        days == 1 ? String(count) : ReportHTML.decimal(perDay(count))
    }
}
