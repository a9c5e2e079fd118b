import ArgumentParser
import ClicklogQuery
import ClicklogReports
import ClicklogStorage
import Foundation

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Run every saved query for one day and write an HTML, CSV and JSON report.",
        discussion: """
            Writes OUT/YYYY-MM-DD/ (index.html, NAME.csv, NAME.json per query in --queries) and \
            that day's rows of OUT/clicklog.sqlite. Re-running a day replaces its report; a failed \
            run leaves the previous one intact. No prompts: exit 0 on success, 1 with a one-line \
            reason otherwise, for cron and systemd timers (tools/clicklog-report.*, docs/reports.md).

            Examples:
              clicklog report --data ./data
              clicklog report --date 2025-03-03 --queries queries --out reports
            """
    )

    @OptionGroup var data: DataOptions

    @Option(help: ArgumentHelp("The directory of saved queries (*.yaml).", valueName: "dir"))
    var queries = "queries"

    @Option(help: ArgumentHelp("The day to report on: yesterday (default), today or YYYY-MM-DD.", valueName: "day"))
    var date = "yesterday"

    @Option(help: ArgumentHelp("Where reports go; one directory per day.", valueName: "dir"))
    var out = "reports"

    func validate() throws {
        do { _ = try ReportDay(date) } catch let error as ReportError { throw ValidationError(error.description) }
    }

    func run() throws {
        do {
            let day = try ReportDay(date)
            let started = Date()
            let sections = try ReportRunner.run(ReportOptions(
                dataDirectory: data.path, queriesDirectory: queries, outDirectory: out, day: day))
            let seconds = String(format: "%.2f", Date().timeIntervalSince(started))
            print("report \(day): \(sections.count) queries written to \(out)/\(day)/ in \(seconds) s")
        } catch let error as ReportError {
            throw CommandError(error.description)
        } catch let error as QueryError {
            throw CommandError(error.description)
        } catch let error as StorageError {
            throw CommandError(error.description.split(separator: "\n").first.map(String.init) ?? "\(error)")
        }
    }
}
