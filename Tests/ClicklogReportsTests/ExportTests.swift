import ClicklogEvents
import ClicklogQuery
import ClicklogStorage
import ClicklogTestSupport
import Foundation
import Testing

@testable import ClicklogReports

/// A data directory holding `events` in blocks of `blockRows`, in arrival order.
func writeLog(_ events: [Event], blockRows: Int = 500, into directory: String) throws {
    let writer = try LogWriter(directory: directory)
    var start = 0
    while start < events.count {
        let end = min(start + blockRows, events.count)
        try writer.appendAndCommit(RandomEvents.batch(Array(events[start..<end])))
        start = end
    }
    try writer.close()
}

func realisticEvents(_ count: Int, seed: UInt64 = 7) -> [Event] {
    var rng = SeededRandom(seed: seed)
    return RandomEvents.realistic(count: count, rng: &rng)
}

@Suite struct ExportTests {
    @Test func jsonlReadsBackThroughTheParserAsTheSameEvents() throws {
        let dir = try TemporaryDirectory("export-jsonl")
        defer { dir.remove() }
        var rng = SeededRandom(seed: 11)
        var events = RandomEvents.realistic(count: 2000, rng: &rng)
        // Props of every kind, escapes and control characters, nested keys stored dotted.
        events[3].props = [
            .init(key: "cart.total", kind: .number, value: "12.50"),
            .init(key: "cart.items", kind: .array, value: "[1,\"two\",{\"a\":null}]"),
            .init(key: "quote\"and\\slash", kind: .string, value: "line\nbreak\ttab\u{1}ctl é ✓"),
            .init(key: "yes", kind: .true, value: ""),
            .init(key: "no", kind: .false, value: ""),
            .init(key: "nothing", kind: .null, value: ""),
        ]
        events[5].title = "say \"hi\"\r\n"
        events[7].userID = ""
        try writeLog(events, into: dir.appending("data"))

        let out = dir.appending("out.jsonl")
        let summary = try Exporter.export(
            from: LogReader(directory: dir.appending("data")), to: out,
            options: ExportOptions(format: .jsonl, columns: ExportOptions.clientColumns))
        #expect(summary.events == events.count)
        #expect(!FileManager.default.fileExists(atPath: out + ".partial"))

        let lines = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == events.count + 1 && lines.last == "")
        var parser = MessageParser()
        var filter = AdmitAll()
        for (line, original) in zip(lines, events) {
            var batch = EventBatch()
            let enrichment = Enrichment(receivedAt: original.receivedAt, site: original.site, userAgent: original.userAgent, ip: original.ip)
            let result = try parser.parse(Array(line.utf8), now: original.ts, enrichment: enrichment, into: &batch, filter: &filter)
            #expect(result.rejections.isEmpty, "\(line)")
            try #require(batch.count == 1)
            var back = batch.event(at: 0)
            back.sentAt = original.sentAt  // a batch-level field, not in a single event
            #expect(back == original)
        }
    }

    @Test func rangeSiteAndColumnsSelectWhatIsWritten() throws {
        let dir = try TemporaryDirectory("export-csv")
        defer { dir.remove() }
        let events = realisticEvents(3000)
        try writeLog(events, into: dir.appending("data"))
        let from = events[1000].ts, to = events[2000].ts
        let expected = events.filter { $0.site == "shop" && $0.ts >= from && $0.ts < to }

        let out = dir.appending("out.csv")
        let summary = try Exporter.export(
            from: LogReader(directory: dir.appending("data")), to: out,
            options: ExportOptions(
                format: .csv, range: TimeRange(from: from, to: to), site: "shop",
                columns: try ExportOptions.columns(parsing: "ts,event,title,props")))
        #expect(summary.events == expected.count)
        let lines = try String(contentsOfFile: out, encoding: .utf8).components(separatedBy: "\r\n")
        #expect(lines.first == "ts,event,title,props")
        #expect(lines.count == expected.count + 2)
        let first = expected[0]
        let props = "{" + first.props.map { "\"\($0.key)\":" + ($0.kind == .string ? "\"\($0.value)\"" : $0.value) }.joined(separator: ",") + "}"
        let quotedProps = first.props.isEmpty ? props : "\"" + props.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        let title = first.title!.contains(",") || first.title!.contains("\"") ? "\"\(first.title!)\"" : first.title!
        #expect(lines[1] == "\(first.ts),\(first.event),\(title),\(quotedProps)")
    }

    @Test func unknownColumnIsRefusedWithTheNames() {
        #expect(throws: ReportError.self) { try ExportOptions.columns(parsing: "ts,colour") }
    }

    @Test func sqliteExportAnswersTopListsAsTheQueryEngine() throws {
        let dir = try TemporaryDirectory("export-sqlite")
        defer { dir.remove() }
        let events = realisticEvents(5000, seed: 3)
        try writeLog(events, into: dir.appending("data"))
        let reader = try LogReader(directory: dir.appending("data"))
        let out = dir.appending("events.sqlite")
        let summary = try Exporter.export(from: reader, to: out, options: ExportOptions(format: .sqlite))
        #expect(summary.events == events.count)

        let database = try ReportDatabase(path: out)
        let engine = QueryEngine(source: LogScanSource(reader: reader), options: QueryOptions())
        for (dimension, column) in [(Dimension.event, "event"), (.url, "url"), (.userID, "user_id")] {
            let result = try #require(try engine.run(.top(TopQuery(dimension: dimension, limit: 10))) as? TopResult)
            let statement = try database.prepare("""
                SELECT \(column), count(*), count(DISTINCT site || char(31) || anonymous_id) FROM events
                WHERE \(column) IS NOT NULL GROUP BY 1 ORDER BY 2 DESC, 1 ASC LIMIT 10
                """)
            var rows: [TopResult.Row] = []
            while try statement.step() {
                rows.append(TopResult.Row(value: statement.string(0), events: Int(statement.int64(1)), uniqueVisitors: Int(statement.int64(2))))
            }
            #expect(rows == result.rows, "top \(column)")
            #expect(!rows.isEmpty)
        }
        let typed = try database.prepare("SELECT typeof(ts), typeof(x), typeof(props) FROM events WHERE x IS NOT NULL LIMIT 1")
        #expect(try typed.step())
        #expect([typed.string(0), typed.string(1), typed.string(2)] == ["integer", "integer", "text"])
        let index = try database.prepare("SELECT count(*) FROM sqlite_master WHERE type = 'index' AND sql LIKE '%(anonymous_id, ts)%'")
        #expect(try index.step() && index.int64(0) == 1)
    }
}
