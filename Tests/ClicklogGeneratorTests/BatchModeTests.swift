import ClicklogEvents
import ClicklogGenerator
import Foundation
import Testing

@Suite struct BatchModeTests {
    @Test(arguments: [1, 50, 1000])
    func batchesCarryTheSameEventsAsLines(batchSize: Int) throws {
        let lines = try TrafficGenerator.jsonLines(GeneratorOptions(events: 4_321, seed: 3))
        let batched = try TrafficGenerator.jsonLines(GeneratorOptions(events: 4_321, seed: 3, batchSize: batchSize))
        var events: [[String: Any]] = []
        var seqs: [Int64] = []
        for line in batched.split(separator: UInt8(ascii: "\n")) {
            let message = try JSONObject.parse(line)
            #expect(Set(message.keys) == ["seq", "sent_at", "events"])
            let batch = try #require(message["events"] as? [[String: Any]])
            let seq = try #require(JSONObject.integer(message["seq"]))
            let sentAt = try #require(JSONObject.integer(message["sent_at"]))
            #expect((1...min(batchSize, EventLimits().maxEventsPerMessage)).contains(batch.count))
            #expect(batch.allSatisfy { JSONObject.integer($0["ts"])! <= sentAt })
            seqs.append(seq)
            events += batch
        }
        #expect(seqs == Array(1...Int64(seqs.count)))
        #expect(seqs.count == (4_321 + batchSize - 1) / batchSize)
        let expected = try lines.split(separator: UInt8(ascii: "\n")).map { try JSONObject.parse($0) }
        #expect(events.count == expected.count)
        #expect(zip(events, expected).allSatisfy { NSDictionary(dictionary: $0).isEqual(to: $1) })
    }

    @Test func theIngestParserAcceptsEveryBatch() throws {
        let options = GeneratorOptions(events: 5_000, seed: 8, batchSize: 1000)
        var parser = MessageParser()
        var batch = EventBatch()
        var filter = AdmitAll()
        let now = options.window.upperBound
        var summaries: [MessageSummary] = []
        for line in try TrafficGenerator.jsonLines(options).split(separator: UInt8(ascii: "\n")) {
            summaries.append(try line.withUnsafeBytes {
                try parser.parse($0, now: now, enrichment: Enrichment(receivedAt: now * 1000, site: "demo"), into: &batch, filter: &filter)
            })
        }
        #expect(summaries.map(\.seq) == [1, 2, 3, 4, 5])
        #expect(summaries.allSatisfy { $0.isBatch && $0.accepted == 1000 && $0.rejections.isEmpty })
        #expect(batch.count == 5_000)
    }
}
