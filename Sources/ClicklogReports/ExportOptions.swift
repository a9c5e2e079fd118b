import Foundation
import ClicklogEvents
import ClicklogQuery

/// `--format` of `clicklog export`.
public enum ExportFormat: String, Sendable, CaseIterable {
    /// One JSON object per line, protocol field names, props as a flat object of dotted keys.
    case jsonl
    /// A header row, then one row per event; props as a JSON text column.
    case csv
    /// One `events` table with typed columns and an index on `(anonymous_id, ts)`.
    case sqlite
}

/// What to export: which events (`range`, `site`) and which fields (`columns`, in that order).
public struct ExportOptions: Sendable {
    public var format: ExportFormat
    /// `from <= ts < to` on the event's `ts`, as every query (semantics.md).
    public var range: TimeRange
    public var site: String?
    public var columns: [Column]

    public init(format: ExportFormat, range: TimeRange = TimeRange(), site: String? = nil, columns: [Column] = Column.allCases) {
        self.format = format
        self.range = range
        self.site = site
        self.columns = columns
    }

    /// The fields a client sends (protocol.md), without the ones the server adds.
    public static let clientColumns: [Column] = [
        .event, .ts, .anonymousID, .id, .userID, .sessionID, .url, .referrer, .title, .selector, .text, .x, .y, .props,
    ]

    /// Parses `--columns event,ts,url,props`: protocol field names, comma-separated, each once.
    public static func columns(parsing text: String) throws -> [Column] {
        var columns: [Column] = []
        for name in text.split(separator: ",", omittingEmptySubsequences: false) {
            let name = name.trimmingCharacters(in: .whitespaces)
            guard let column = Column(name: name) else {
                let names = Column.allCases.map(\.name).joined(separator: ", ")
                throw ReportError.badInput("unknown column '\(name)' in --columns; use any of: \(names)")
            }
            if !columns.contains(column) { columns.append(column) }
        }
        guard !columns.isEmpty else { throw ReportError.badInput("--columns is empty") }
        return columns
    }
}

/// What an export wrote.
public struct ExportSummary: Sendable, Equatable {
    public var events: Int
    public var blocks: Int
    /// Damaged blocks that were skipped, one line each.
    public var problems: [String]
}
