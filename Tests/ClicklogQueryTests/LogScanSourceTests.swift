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

    /// Visitors with UUID ids: blocks whose ids are all version-4 UUIDs store them packed, and
    /// the engine takes those 16 bytes as they are, while blocks with other ids give text that
    /// the engine packs itself. One visitor in both kinds of block is still one visitor.
    @Test func uuidVisitorsAreTheSameVisitorsInPackedAndTextBlocks() throws {
        let t0 = at("2025-03-03T10:00:00Z")
        let ids = (0..<12).map { i in String(format: "%08x-1234-4abc-9def-%012x", 0x1000 + i * 7919, i * 104_729) }
        var events: [Event] = []
        for round in 0..<6 {
            // Rounds of four visitors with three events each, two of them from the round before.
            // Rounds 0, 1, 3, 4: UUIDs only (packed blocks); rounds 2 and 5 add other ids
            // (text blocks), among them an upper-case UUID, which is another visitor.
            for j in 0..<12 {
                let i = (round * 2 + j % 4) % ids.count
                events.append(ev(j % 3 == 0 ? "page_view" : "A", t0 + Int64(round * 12 + j) * 4 * minute, ids[i], site: i % 5 == 0 ? "blog" : "shop"))
            }
            if round % 3 == 2 {
                events.append(ev("A", t0 + Int64(round * 12) * 4 * minute, "visitor-\(round)"))
                events.append(ev("A", t0 + Int64(round * 12) * 4 * minute + 1, ids[3].uppercased()))
            }
        }
        let blockRows = 12
        try Self.withLog(events, blockRows: blockRows) { log in
            let reader = log.makeReader()
            let blocks = try log.blocks(in: TimeRange(), site: nil)
            let packed = try blocks.map { try reader.readStrings($0, column: .anonymousID, packedUUIDs: true).uuidsPacked }
            #expect(packed.contains(true) && packed.contains(false))
            for threads in [1, 2, 3] {
                let options = QueryOptions(threads: threads)
                let onLog = QueryEngine(source: log, options: options)
                let inMemory = QueryEngine(source: MemoryScanSource(events: events, blockRows: blockRows), options: options)
                for query: Query in [.sessions(SessionsQuery()), .sessions(SessionsQuery(idle: 10 * minute)),
                                     .funnel(FunnelQuery(steps: steps("page_view", "A"))), .top(TopQuery(dimension: .event))] {
                    #expect(try onLog.run(query).json == inMemory.run(query).json, "\(query.name), \(threads) threads")
                }
            }
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
