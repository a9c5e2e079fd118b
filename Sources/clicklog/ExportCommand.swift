import ArgumentParser
import ClicklogEvents
import ClicklogQuery
import ClicklogReports
import ClicklogStorage
import Foundation

extension ExportFormat: ExpressibleByArgument {}

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write the raw events of a time range to a JSONL, CSV or SQLite file.",
        discussion: """
            Streams block by block, so memory does not grow with the range. Rows use the \
            protocol's field names; props are one flat JSON object keyed by dotted keys \
            (docs/reports.md). The file appears under its name only once complete.

            Examples:
              clicklog export --format jsonl --from 2025-03-03 --to 2025-03-04 --out day.jsonl
              clicklog export --format csv --columns ts,event,url,props --out - | head
              clicklog export --format sqlite --site shop --out shop.sqlite
              sqlite3 shop.sqlite 'SELECT url, count(*) FROM events GROUP BY 1 ORDER BY 2 DESC LIMIT 10'
            """
    )

    @Option(help: ArgumentHelp("jsonl, csv or sqlite.", valueName: "format"))
    var format: ExportFormat

    @OptionGroup var data: DataOptions

    @Option(help: ArgumentHelp("Start, inclusive: RFC 3339, YYYY-MM-DD, today, yesterday, or 7d, 24h ago.", valueName: "time"))
    var from: String?

    @Option(help: ArgumentHelp("End, exclusive; same forms as --from.", valueName: "time"))
    var to: String?

    @Option(help: ArgumentHelp("Only events of this site key.", valueName: "key"))
    var site: String?

    @Option(help: ArgumentHelp("Zone of YYYY-MM-DD, today and yesterday: UTC (default), +01:00, or an IANA name.", valueName: "zone"))
    var tz: String?

    @Option(help: ArgumentHelp("Fields to export, comma-separated protocol names (event,ts,url,props); all by default.", valueName: "list"))
    var columns: String?

    @Option(help: ArgumentHelp("The output file; - for standard output (jsonl and csv only).", valueName: "path"))
    var out: String

    func validate() throws {
        if out == "-" && format == .sqlite { throw ValidationError("--format sqlite needs a file for --out, not -") }
        do {
            _ = try exportOptions()
        } catch let error as QueryError {
            throw ValidationError(error.description)
        } catch let error as ReportError {
            throw ValidationError(error.description)
        }
    }

    func exportOptions() throws -> ExportOptions {
        let query = try QueryParameter.options(site: site, from: from, to: to, tz: tz, memoryLimit: nil, threads: nil)
        return ExportOptions(
            format: format, range: query.range, site: query.site,
            columns: try columns.map { try ExportOptions.columns(parsing: $0) } ?? Column.allCases)
    }

    func run() throws {
        let options = try exportOptions()
        let started = Date()
        let summary: ExportSummary
        do {
            summary = try Exporter.export(from: LogReader(directory: data.path), to: out, options: options)
        } catch let error as ReportError {
            throw CommandError(error.description)
        } catch let error as StorageError {
            throw CommandError(error.description)
        }
        let seconds = Date().timeIntervalSince(started)
        var message = "\(summary.events) events from \(summary.blocks) blocks written to \(out) in \(String(format: "%.2f", seconds)) s\n"
        if !summary.problems.isEmpty {
            message += "warning: \(summary.problems.count) damaged block(s) skipped; run 'clicklog verify' for details\n"
        }
        FileHandle.standardError.write(Data(message.utf8))
    }
}
