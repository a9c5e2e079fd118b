import ClicklogQuery

/// Renders query results: aligned tables for people, CSV (RFC 4180) and JSON for tools.
enum QueryOutput {
    static func render(_ result: any QueryResult, format: QueryOutputFormat) -> String {
        switch format {
        case .json: result.json.text() + "\n"
        case .csv: csv(result.csvTable)
        case .table: result.tables.map(table).joined(separator: "\n")
        }
    }

    /// Columns padded to their widest cell, numbers right-aligned, a rule under the header and
    /// above footer rows (totals).
    static func table(_ t: ResultTable) -> String {
        var widths = t.columns.map { $0.name.count }
        for row in t.rows {
            for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) }
        }
        func line(_ cells: [String]) -> String {
            var parts: [String] = []
            for (i, cell) in cells.enumerated() {
                let pad = String(repeating: " ", count: max(0, widths[i] - cell.count))
                parts.append(t.columns[i].numeric ? pad + cell : (i == cells.count - 1 ? cell : cell + pad))
            }
            return parts.joined(separator: "  ")
        }
        let rule = widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")
        var out = ""
        if let title = t.title { out += title + "\n" }
        out += line(t.columns.map(\.name)) + "\n" + rule + "\n"
        for (i, row) in t.rows.enumerated() {
            if i == t.footerStart, i > 0 { out += rule + "\n" }
            out += line(row) + "\n"
        }
        if t.rows.isEmpty { out += "(no rows)\n" }
        return out
    }

    static func csv(_ t: ResultTable) -> String {
        var out = t.columns.map { quote($0.name) }.joined(separator: ",") + "\r\n"
        for row in t.rows { out += row.map(quote).joined(separator: ",") + "\r\n" }
        return out
    }

    static func quote(_ cell: String) -> String {
        guard cell.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return cell }
        return "\"" + cell.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
