import ClicklogQuery

/// One saved query's part of a report: its results for the day and for the comparison period
/// (the day before, or the N days before with `compare: Nd`), plus the longer span its chart needs.
public struct ReportSection: Sendable {
    /// The file name without `.yaml`: names the CSV and JSON files and the SQLite rows.
    public var name: String
    public var saved: SavedQuery
    /// The day's answer; for sessions with hour buckets (`byHour`), which its JSON leaves out.
    public var result: any QueryResult
    /// The answer over the whole comparison period; `comparison` turns its counts into an
    /// average day's.
    public var previous: any QueryResult
    /// Sessions only: the seven days ending on the report day, for the line chart.
    public var week: SessionsResult?

    public var comparison: ReportComparison { ReportComparison(days: saved.compareDays) }
}
