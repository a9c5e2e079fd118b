import ClicklogEvents
import ClicklogQuery
import ClicklogStorage
import Foundation
import Testing

/// The engine over the real log gives the answers it gives over the same events in memory.
@Suite struct LogScanSourceTests {
    static func withLog(_ events: [Event], blockRows: Int, _ body: (LogScanSource) throws -> Void) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("clicklog-query-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let writer = try LogWriter(directory: directory)
        var start = 0
        while start < events.count {
            var batch = EventBatch()
            for e in events[start..<min(events.count, start + blockRows)] { batch.append(e) }
            _ = try writer.appendAndCommit(batch)
            start += blockRows
        }
        try writer.close()
        try body(try LogScanSource(directory: directory))
    }

    @Test func answersMatchTheInMemorySource() throws {
        let events = ReferenceTests.randomEvents(seed: 9, count: 800)
        let range = TimeRange(from: at("2025-03-29T23:00:00Z"), to: at("2025-03-30T04:00:00Z"))
        try Self.withLog(events, blockRows: 37) { log in
            for options in [QueryOptions(threads: 2), QueryOptions(range: range, site: "shop", zone: TimeZoneOffset("Europe/Berlin")!, threads: 3)] {
                let onLog = QueryEngine(source: log, options: options)
                let inMemory = QueryEngine(source: MemoryScanSource(events: events, blockRows: 37), options: options)
                let queries: [Query] = [
                    .sessions(SessionsQuery()),
                    .funnel(FunnelQuery(steps: steps("page_view path=/product/*", "A", "B"), breakdown: .referrerHost)),
                    .top(TopQuery(dimension: .path)),
                    .top(TopQuery(dimension: .prop("plan"), event: "A")),
                    .counts(CountsQuery(interval: .hour, by: .path)),
                ]
                for query in queries {
                    let a = try onLog.run(query).json
                    let b = try inMemory.run(query).json
                    #expect(a == b, "\(query.name)")
                }
            }
            #expect(log.problems.isEmpty)
        }
    }

    @Test func missingDataDirectoryIsBadInput() {
        do {
            _ = try LogScanSource(directory: "/nonexistent/clicklog-data")
            Issue.record("opened")
        } catch let error as QueryError {
            #expect(!error.isUsage)
            #expect(error.description.hasPrefix("--data /nonexistent/clicklog-data"))
        } catch {
            Issue.record("\(error)")
        }
    }
}
