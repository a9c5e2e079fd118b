import ClicklogQuery

/// One saved query's part of a report: its results for the day and for the day before (for
/// the change), plus the longer span its chart needs.
public struct ReportSection: Sendable {
    /// The file name without `.yaml`: names the CSV and JSON files and the SQLite rows.
    public var name: String
    public var saved: SavedQuery
    public var result: any QueryResult
    public var previous: any QueryResult
    /// Sessions only: the seven days ending on the report day, for the line chart.
    public var week: SessionsResult?
}
