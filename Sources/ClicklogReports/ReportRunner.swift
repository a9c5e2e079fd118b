import ClicklogQuery
import ClicklogStorage
import Foundation

/// What `clicklog report` needs: where the data, the saved queries and the reports are.
public struct ReportOptions: Sendable {
    public var dataDirectory: String
    public var queriesDirectory: String
    public var outDirectory: String
    public var day: ReportDay

    public init(dataDirectory: String, queriesDirectory: String, outDirectory: String, day: ReportDay) {
        self.dataDirectory = dataDirectory
        self.queriesDirectory = queriesDirectory
        self.outDirectory = outDirectory
        self.day = day
    }
}

/// Runs every saved query for one day and for its comparison period (`compare: Nd`, the
/// previous day by default) and writes `OUT/YYYY-MM-DD/` (index.html, NAME.csv,
/// NAME.json) and that day's rows of `OUT/clicklog.sqlite`.
///
/// All-or-nothing: every query runs before anything is written; the day's directory is built
/// as `OUT/.YYYY-MM-DD.tmp-PID` and renamed into place, and the SQLite rows are replaced in one
/// transaction, so a failed run leaves the previous report of that day as it was.
public enum ReportRunner {
    public static func run(_ options: ReportOptions) throws -> [ReportSection] {
        let sections = try computeSections(options)
        try write(sections, options: options)
        return sections
    }

    /// The saved queries of `directory` (`*.yaml`, `*.yml`), by file name.
    public static func loadQueries(_ directory: String) throws -> [(name: String, saved: SavedQuery)] {
        let files: [String]
        do {
            files = try FileManager.default.contentsOfDirectory(atPath: directory)
                .filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted()
        } catch {
            throw ReportError.badInput("cannot list the saved queries in \(directory): \(error.localizedDescription)")
        }
        guard !files.isEmpty else { throw ReportError.badInput("no saved queries (*.yaml) in \(directory)") }
        return try files.map { file in
            let path = directory + "/" + file
            let text: String
            do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
                throw ReportError.io("cannot read \(path): \(error.localizedDescription)")
            }
            let name = file.hasSuffix(".yml") ? String(file.dropLast(4)) : String(file.dropLast(5))
            return (name, try SavedQuery.parse(text, file: path))
        }
    }

    static func computeSections(_ options: ReportOptions) throws -> [ReportSection] {
        let queries = try loadQueries(options.queriesDirectory)
        let source = try LogScanSource(directory: options.dataDirectory)
        func run(_ saved: SavedQuery, from: ReportDay, to: ReportDay, query: Query? = nil) throws -> any QueryResult {
            let queryOptions = try QueryParameter.options(
                site: saved.site, from: from.description, to: to.description, tz: saved.tz, memoryLimit: nil, threads: nil)
            return try QueryEngine(source: source, options: queryOptions).run(query ?? saved.query)
        }
        let day = options.day
        return try queries.map { name, saved in
            var week: SessionsResult?
            var dayQuery = saved.query
            if case var .sessions(q) = saved.query {
                week = try run(saved, from: day.adding(days: -6), to: day.adding(days: 1)) as? SessionsResult
                q.bucket = .hour  // for the per-hour chart; the JSON file is the same
                dayQuery = .sessions(q)
            }
            return ReportSection(
                name: name, saved: saved,
                result: try run(saved, from: day, to: day.adding(days: 1), query: dayQuery),
                previous: try run(saved, from: day.adding(days: -saved.compareDays), to: day),
                week: week)
        }
    }

    static func write(_ sections: [ReportSection], options: ReportOptions) throws {
        let fm = FileManager.default
        let out = options.outDirectory
        let final = out + "/" + options.day.description
        let temporary = out + "/.\(options.day).tmp-\(getpid())"
        do {
            try fm.createDirectory(atPath: out, withIntermediateDirectories: true)
            try? fm.removeItem(atPath: temporary)
            try fm.createDirectory(atPath: temporary, withIntermediateDirectories: false)
            try Data(ReportHTML.page(sections, day: options.day).utf8).write(to: URL(fileURLWithPath: temporary + "/index.html"))
            for section in sections {
                try Data(ReportFiles.csv(section.result.csvTable).utf8)
                    .write(to: URL(fileURLWithPath: temporary + "/\(section.name).csv"))
                try Data((section.result.json.text(pretty: true) + "\n").utf8)
                    .write(to: URL(fileURLWithPath: temporary + "/\(section.name).json"))
            }
        } catch let error as ReportError {
            try? fm.removeItem(atPath: temporary)
            throw error
        } catch {
            try? fm.removeItem(atPath: temporary)
            throw ReportError.io("cannot write the report in \(out): \(error.localizedDescription)")
        }
        do {
            try ReportArchive(path: out + "/clicklog.sqlite").replace(day: options.day, sections: sections)
        } catch {
            try? fm.removeItem(atPath: temporary)
            throw error
        }
        // Swap the new directory in; the old one is removed only once the new one is in place.
        let old = out + "/.\(options.day).old-\(getpid())"
        let hadOld = fm.fileExists(atPath: final)
        if hadOld, rename(final, old) != 0 {
            try? fm.removeItem(atPath: temporary)
            throw ReportError.io("cannot replace \(final): \(String(cString: strerror(errno)))")
        }
        guard rename(temporary, final) == 0 else {
            let reason = String(cString: strerror(errno))
            if hadOld { _ = rename(old, final) }
            throw ReportError.io("cannot move the report to \(final): \(reason)")
        }
        if hadOld { try? fm.removeItem(atPath: old) }
    }
}

/// The CSV of a result table, as `clicklog query --format csv` writes it.
enum ReportFiles {
    static func csv(_ table: ResultTable) -> String {
        func field(_ s: String) -> String {
            s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
                ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
        }
        var text = table.columns.map { field($0.name) }.joined(separator: ",") + "\r\n"
        for row in table.rows { text += row.map(field).joined(separator: ",") + "\r\n" }
        return text
    }
}
