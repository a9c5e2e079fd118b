import ClicklogGenerator
import Testing

@Suite struct TrafficGeneratorTests {
    @Test func sameSeedGivesIdenticalBytes() throws {
        let options = GeneratorOptions(events: 20_000, seed: 7, days: 3)
        #expect(try TrafficGenerator.jsonLines(options) == TrafficGenerator.jsonLines(options))
    }

    @Test func differentSeedsGiveDifferentTraffic() throws {
        let a = try TrafficGenerator.jsonLines(GeneratorOptions(events: 2_000, seed: 1))
        let b = try TrafficGenerator.jsonLines(GeneratorOptions(events: 2_000, seed: 2))
        #expect(a != b)
        // Not only different ids: different visitors doing different things at different times.
        let first = { (bytes: [UInt8]) in try JSONObject.parse(bytes.split(separator: 10)[0]) }
        #expect(try first(a)["ts"] as? Int64 != first(b)["ts"] as? Int64)
    }

    @Test(arguments: [0, 1, 2, 17, 999, 5_000])
    func writesExactlyTheRequestedNumberOfEvents(events: Int) throws {
        let bytes = try TrafficGenerator.jsonLines(GeneratorOptions(events: events, seed: UInt64(events), days: 2))
        #expect(bytes.count { $0 == UInt8(ascii: "\n") } == events)
        #expect(bytes.last == (events == 0 ? nil : UInt8(ascii: "\n")))
    }

    @Test func exactCountHoldsAcrossSeedsAndWindows() throws {
        for seed in UInt64(0)..<12 {
            let options = GeneratorOptions(events: 3_000 + Int(seed) * 101, seed: seed, days: 1 + Int(seed % 4) * 9)
            var generator = try TrafficGenerator(options)
            var buffer: [UInt8] = []
            var lines = 0
            while generator.nextLine(into: &buffer) { lines += 1 }
            #expect(lines == options.events, "seed \(seed)")
            #expect(generator.eventsWritten == options.events)
            let more = generator.nextLine(into: &buffer)
            #expect(!more, "a finished generator writes nothing more")
        }
    }

    @Test func lineByLineWritingMatchesJSONLines() throws {
        let options = GeneratorOptions(events: 3_000, seed: 11)
        var generator = try TrafficGenerator(options)
        var streamed: [UInt8] = []
        var line: [UInt8] = []
        while generator.nextLine(into: &line) {
            streamed += line
            line.removeAll(keepingCapacity: true)
        }
        #expect(streamed == (try TrafficGenerator.jsonLines(options)))
    }

    @Test func everyEventFallsInsideTheWindow() throws {
        let start = try #require(GeneratorOptions.startOfDay(year: 2025, month: 3, day: 30))
        let options = GeneratorOptions(events: 20_000, seed: 5, days: 2, start: start)
        let ts = try TrafficGenerator.jsonLines(options).split(separator: 10).map {
            try #require(JSONObject.integer(JSONObject.parse($0)["ts"]))
        }
        #expect(ts.allSatisfy { options.window.contains($0) })
        // Spread over the whole window, not bunched at its start or end.
        let day = TrafficModelConstants.day
        let firstDay = ts.count { $0 < start + day }
        #expect((8_000...12_000).contains(firstDay))
        #expect(ts.first! < start + TrafficModelConstants.hour)
        #expect(ts.last! > start + 2 * day - TrafficModelConstants.hour)
    }

    @Test func trafficFollowsTheDailyCycle() {
        var byHour = [Int](repeating: 0, count: 24)
        for e in GeneratedTraffic.events { byHour[Int(e.ts / TrafficModelConstants.hour % 24)] += 1 }
        let night = byHour[2...5].reduce(0, +)
        let evening = byHour[17...20].reduce(0, +)
        #expect(Double(evening) > 1.8 * Double(night), "\(byHour)")
    }

    @Test func invalidOptionsAreRejectedWithAReason() {
        let cases: [(GeneratorOptions, String)] = [
            (GeneratorOptions(events: -1), "number of events is -1"),
            (GeneratorOptions(events: 1, days: 0), "0 days"),
            (GeneratorOptions(events: 1, days: GeneratorOptions.maxDays + 1), "3651 days"),
            (GeneratorOptions(events: 1, batchSize: 1001), "batch of 1001"),
            (GeneratorOptions(events: 1, batchSize: -2), "batch of -2"),
            (GeneratorOptions(events: 1, start: 946_684_799_999), "1999-12-31"),
        ]
        for (options, reason) in cases {
            #expect {
                try options.validate()
            } throws: { error in
                "\(error)".contains(reason)
            }
            #expect(throws: GeneratorError.self) { try TrafficGenerator(options) }
        }
    }

    @Test func calendarDaysConvertBothWays() {
        #expect(GeneratorOptions.startOfDay(year: 2026, month: 1, day: 1) == GeneratorOptions.defaultStart)
        #expect(GeneratorOptions.startOfDay(year: 2000, month: 1, day: 1) == 946_684_800_000)
        #expect(GeneratorOptions.startOfDay(year: 2024, month: 2, day: 29) == 1_709_164_800_000)
        #expect(GeneratorOptions.startOfDay(year: 2025, month: 2, day: 29) == nil)
        #expect(GeneratorOptions.startOfDay(year: 2025, month: 13, day: 1) == nil)
        #expect(GeneratorOptions.calendarDay(of: 1_709_164_800_000 + 86_399_999) == "2024-02-29")
        #expect(GeneratorOptions.calendarDay(of: -1) == "1969-12-31")
        for day in stride(from: Int64(0), to: 80_000, by: 997) {
            let text = GeneratorOptions.calendarDay(of: day * 86_400_000)
            let parts = text.split(separator: "-").map { Int($0)! }
            #expect(GeneratorOptions.startOfDay(year: parts[0], month: parts[1], day: parts[2]) == day * 86_400_000)
        }
    }
}

/// Time units, spelled out so that expectations read in hours and minutes.
enum TrafficModelConstants {
    static let minute: Int64 = 60_000
    static let hour: Int64 = 3_600_000
    static let day: Int64 = 86_400_000
}
