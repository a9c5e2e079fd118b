import ClicklogEvents
import ClicklogQuery
import ClicklogStorage
import ClicklogTestSupport
import Foundation
import Testing

@testable import ClicklogReports

/// Two days of traffic (2025-01-01 and 2025-01-02, UTC) and four saved queries, one per kind.
struct ReportFixture {
    let dir: TemporaryDirectory
    var data: String { dir.appending("data") }
    var queries: String { dir.appending("queries") }
    var out: String { dir.appending("reports") }

    static let queryFiles = [
        "sessions.yaml": "query: sessions\ndescription: Sessions per day.\nidle: 30m\n",
        "top-urls.yaml": "query: top\ndescription: Most viewed pages.\ndimension: url\nevent: page_view\nlimit: 5\n",
        "events-per-hour.yaml": "query: counts\ninterval: hour\nby: event\n",
        "view-to-click.yaml": "query: funnel\nwindow: 1h\nsteps:\n  - page_view\n  - click\n  - signup\n",
    ]

    init() throws {
        dir = try TemporaryDirectory("report")
        var rng = SeededRandom(seed: 5)
        let first = RandomEvents.realistic(count: 3000, rng: &rng, startMillis: 1_735_689_600_000 + 3_600_000)
        let second = RandomEvents.realistic(count: 4000, rng: &rng, startMillis: 1_735_776_000_000 + 7_200_000)
        try writeLog(first + second, into: data)
        try FileManager.default.createDirectory(atPath: queries, withIntermediateDirectories: true)
        for (name, text) in Self.queryFiles { try text.write(toFile: queries + "/" + name, atomically: true, encoding: .utf8) }
    }

    func run(_ date: String = "2025-01-02") throws -> [ReportSection] {
        try ReportRunner.run(ReportOptions(dataDirectory: data, queriesDirectory: queries, outDirectory: out, day: ReportDay(date)))
    }

    func read(_ name: String, day: String = "2025-01-02") throws -> String {
        try String(contentsOfFile: out + "/\(day)/\(name)", encoding: .utf8)
    }

    func rowCount(_ table: String) throws -> Int64 {
        let statement = try ReportDatabase(path: out + "/clicklog.sqlite").prepare("SELECT count(*) FROM \(table) WHERE report_date = '2025-01-02'")
        _ = try statement.step()
        return statement.int64(0)
    }
}

@Suite struct ReportTests {
    @Test func reportDayNamesDatesAndNeighbours() throws {
        let day = try ReportDay("2024-03-01")
        #expect(day.description == "2024-03-01")
        #expect(day.adding(days: -1).description == "2024-02-29")
        #expect(try ReportDay("yesterday", now: 1_735_776_000_000 + 5).description == "2025-01-01")
        #expect(throws: ReportError.self) { try ReportDay("7d") }
    }

    @Test func reportHasEverySectionWithTheEnginesNumbers() throws {
        let fixture = try ReportFixture()
        defer { fixture.dir.remove() }
        let sections = try fixture.run()
        #expect(sections.map(\.name) == ["events-per-hour", "sessions", "top-urls", "view-to-click"])

        let html = try fixture.read("index.html")
        #expect(html.hasPrefix("<!doctype html>"))
        #expect(!html.contains("src=") && !html.contains("<script") && !html.contains("<link"))
        for section in sections {
            #expect(html.contains("<section id=\"\(section.name)\">"))
            // The JSON file holds exactly what the engine answers for that day.
            let options = try QueryParameter.options(site: nil, from: "2025-01-02", to: "2025-01-03", tz: nil, memoryLimit: nil, threads: nil)
            let expected = try QueryEngine(source: LogScanSource(directory: fixture.data), options: options).run(section.saved.query)
            #expect(try fixture.read("\(section.name).json") == expected.json.text(pretty: true) + "\n")
            #expect(try fixture.read("\(section.name).csv").hasPrefix(expected.csvTable.columns.map(\.name).joined(separator: ",")))
        }
        // One chart per section, two for sessions (per hour of the day, per day of the week).
        #expect(html.components(separatedBy: "<svg").count - 1 == 5)
        let sessions = try #require(sections.first { $0.name == "sessions" }?.result as? SessionsResult)
        #expect(sessions.total.sessions > 0)
        #expect(html.contains("<td class=\"n\">\(sessions.total.sessions)</td>"))

        let top = try #require(sections.first { $0.name == "top-urls" }?.result as? TopResult)
        #expect(try fixture.rowCount("top_rows") == Int64(top.rows.count))
        #expect(try fixture.rowCount("sessions") == 1)
        #expect(try fixture.rowCount("funnel_steps") == 3)
    }

    @Test func rerunningADayReplacesItsReportAndRows() throws {
        let fixture = try ReportFixture()
        defer { fixture.dir.remove() }
        _ = try fixture.run()
        let html = try fixture.read("index.html")
        let counts = try ReportArchive.tables.map(fixture.rowCount)
        _ = try fixture.run()
        #expect(try fixture.read("index.html") == html)
        #expect(try ReportArchive.tables.map(fixture.rowCount) == counts)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: fixture.out).filter { $0.hasPrefix(".") }
        #expect(leftovers.isEmpty)
    }

    @Test func failedRunLeavesThePreviousReportIntact() throws {
        let fixture = try ReportFixture()
        defer { fixture.dir.remove() }
        _ = try fixture.run()
        let html = try fixture.read("index.html")
        try "query: top\ndimension: colour\n".write(toFile: fixture.queries + "/broken.yaml", atomically: true, encoding: .utf8)
        #expect(throws: (any Error).self) { try fixture.run() }
        #expect(try fixture.read("index.html") == html)
        #expect(try fixture.rowCount("sessions") == 1)
    }

    @Test func sessionsSectionCountsTheDaysSessionsPerHour() throws {
        let fixture = try ReportFixture()
        defer { fixture.dir.remove() }
        let sections = try fixture.run()
        let sessions = try #require(sections.first { $0.name == "sessions" }?.result as? SessionsResult)
        let hours = ReportHTML.hourly(sessions)
        #expect(hours.map(\.label) == (0..<24).map { String(format: "%02d:00", $0) })
        #expect(Int(hours.map(\.value).reduce(0, +)) == sessions.total.sessions)
        #expect(hours.contains { $0.value == 0 } && hours.contains { $0.value > 0 })
        for h in sessions.byHour {
            #expect(h.hour.hasPrefix("2025-01-02T"))
            #expect(hours[Int(h.hour.suffix(5).prefix(2))!].value == Double(h.stats.sessions))
        }
        let html = try fixture.read("index.html")
        #expect(html.contains("Sessions per hour of their first event (UTC)"))
        // 24 points on the hourly line, 7 on the weekly one (days without data as 0).
        let section = try #require(html.components(separatedBy: "<section id=\"sessions\">").last?.components(separatedBy: "</section>").first)
        #expect(section.components(separatedBy: "<circle").count - 1 == 24 + 7)
    }

    @Test func compareNDaysComparesWithTheAverageDayOfThePeriod() throws {
        let fixture = try ReportFixture()
        defer { fixture.dir.remove() }
        // Two days before 2025-01-02: 2024-12-31 (no data) and 2025-01-01.
        try "query: sessions\ncompare: 2d\n".write(toFile: fixture.queries + "/sessions.yaml", atomically: true, encoding: .utf8)
        try "query: top\ndimension: event\nlimit: 5\ncompare: 2d\n"
            .write(toFile: fixture.queries + "/top-urls.yaml", atomically: true, encoding: .utf8)
        let sections = try fixture.run()
        let engine = try QueryEngine(
            source: LogScanSource(directory: fixture.data),
            options: QueryParameter.options(site: nil, from: "2024-12-31", to: "2025-01-02", tz: nil, memoryLimit: nil, threads: nil))

        let sessionsSection = try #require(sections.first { $0.name == "sessions" })
        #expect(sessionsSection.comparison.days == 2)
        let period = try #require(try engine.run(sessionsSection.saved.query) as? SessionsResult)
        #expect(try #require(sessionsSection.previous as? SessionsResult) == period)
        #expect(period.byDay.map(\.day) == ["2025-01-01"])
        let html = try fixture.read("index.html")
        #expect(html.contains("<th class=\"n\">avg day, previous 2 days</th>"))
        #expect(html.contains("<th class=\"n\">previous day</th>"))  // the other sections stay on 1d
        // Sessions: the count halved; the bounce rate over the whole period.
        #expect(html.contains("<td class=\"n\">\(String(format: "%.2f", Double(period.total.sessions) / 2))</td>"))
        #expect(html.contains("<td class=\"n\">\(String(format: "%.1f%%", period.total.bounceRate! * 100))</td>"))

        let topSection = try #require(sections.first { $0.name == "top-urls" })
        let topPeriod = try #require(try engine.run(topSection.saved.query) as? TopResult)
        #expect(try #require(topSection.previous as? TopResult) == topPeriod)
        let today = try #require(topSection.result as? TopResult)
        let shared = today.rows.compactMap { row in topPeriod.rows.first { $0.value == row.value }.map { (row, $0) } }
        try #require(!shared.isEmpty)
        for (now, then) in shared {
            let average = Double(then.events) / 2
            let change = ReportHTML.change(Double(now.events), average)
            let style = change.hasPrefix("+") ? " up" : change.hasPrefix("−") ? " down" : ""
            #expect(html.contains("<td class=\"n\">\(String(format: "%.2f", average))</td><td class=\"n\(style)\">\(change)</td>"))
        }
        // The archive keeps the day's own numbers.
        let statement = try ReportDatabase(path: fixture.out + "/clicklog.sqlite").prepare("SELECT sessions FROM sessions WHERE report_date = '2025-01-02'")
        #expect(try statement.step())
        #expect(Int(statement.int64(0)) == (sessionsSection.result as? SessionsResult)?.total.sessions)
    }
}
