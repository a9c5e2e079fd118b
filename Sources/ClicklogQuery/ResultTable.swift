/// A result as rows and columns, for `--format table` and `--format csv`. A query result gives
/// one or more (a funnel with a breakdown gives two); cells are already formatted text, with
/// numbers right-aligned in tables.
public struct ResultTable: Sendable, Equatable {
    public struct Column: Sendable, Equatable {
        public var name: String
        public var numeric: Bool

        public init(_ name: String, numeric: Bool = false) {
            self.name = name
            self.numeric = numeric
        }
    }

    /// Shown above the table on a terminal (not in CSV).
    public var title: String?
    public var columns: [Column]
    public var rows: [[String]]
    /// Rows after this index are set off by a rule in tables (totals).
    public var footerStart: Int?

    public init(title: String? = nil, columns: [Column], rows: [[String]] = [], footerStart: Int? = nil) {
        self.title = title
        self.columns = columns
        self.rows = rows
        self.footerStart = footerStart
    }
}

/// How numbers look in tables and CSV: counts as integers, rates and durations with enough
/// digits to compare, never in exponent form.
enum Cell {
    static func count(_ n: Int) -> String { String(n) }

    static func decimal(_ d: Double?, digits: Int = 3) -> String {
        guard let d, d.isFinite else { return "" }
        return String(format: "%.\(digits)f", d)
    }

    static func percent(_ d: Double?) -> String {
        guard let d, d.isFinite else { return "" }
        return String(format: "%.1f%%", d * 100)
    }
}

import Foundation
