import ClicklogQuery
import Foundation
import Testing

@Suite struct SavedQueryTests {
    @Test func funnelWithEveryKey() throws {
        let saved = try SavedQuery.parse("""
            query: funnel
            description: test
            from: 2025-03-03
            tz: Europe/Berlin
            window: 1h30m
            by: user
            breakdown: prop.plan
            steps:
              - page_view path=/product/*
              - "page_view path=\\"/a b\\""
            """, file: "f.yaml")
        #expect(saved.from == "2025-03-03")
        #expect(saved.tz == "Europe/Berlin")
        guard case let .funnel(q) = saved.query else { Issue.record("not a funnel"); return }
        #expect(q.window == 90 * 60_000)
        #expect(q.by == .user)
        #expect(q.breakdown == .prop("plan"))
        #expect(q.steps.map(\.event) == ["page_view", "page_view"])
        #expect(q.steps[1].path == Glob("/a b"))
    }

    @Test func errorsNameTheFileAndKeyAndAreBadInput() {
        func error(_ yaml: String) -> QueryError? {
            do {
                _ = try SavedQuery.parse(yaml, file: "q.yaml")
                return nil
            } catch {
                return error as? QueryError
            }
        }
        let unknown = error("query: top\ndimension: path\nlimt: 5")
        #expect(unknown?.description == "q.yaml: unknown key 'limt' for a top query; keys are query, description, site, from, to, tz, compare, dimension, event, limit")
        #expect(unknown?.isUsage == false)
        #expect(error("query: funnel\nsteps:\n  - path=/x")?.description.hasPrefix("q.yaml: step 1 'path=/x': it must start with an event name") == true)
        #expect(error("query: sessions\nidle: 30")?.description == "q.yaml: idle: '30' is not valid; expected \(QueryParameter.durationForms)")
        #expect(error("query: report")?.description.contains("expected one of sessions, funnel, top, counts") == true)
        #expect(error("- a\n- b")?.description.contains("expected a mapping") == true)
        #expect(error("query: [")?.description.hasPrefix("q.yaml: not valid YAML") == true)
    }

    @Test func compareTakesNDaysFromOneTo366AndDefaultsToTheDayBefore() throws {
        #expect(try SavedQuery.parse("query: sessions", file: "q.yaml").compareDays == 1)
        for (text, days) in [("1d", 1), ("7d", 7), ("28d", 28), ("366d", 366)] {
            let saved = try SavedQuery.parse("query: top\ndimension: path\ncompare: \(text)", file: "q.yaml")
            #expect(saved.compareDays == days)
            // The query itself is the same with or without it: `clicklog query --file` ignores it.
            #expect(saved.query == (try SavedQuery.parse("query: top\ndimension: path", file: "q.yaml")).query)
        }
        for bad in ["0d", "367d", "7", "d", "1w", "-1d", "7 d", "٣d", "1000d", "7D"] {
            do {
                _ = try SavedQuery.parse("query: counts\ncompare: \(bad)", file: "q.yaml")
                Issue.record("compare: \(bad) was accepted")
            } catch let error as QueryError {
                #expect(error.description == "q.yaml: compare: '\(bad)' is not valid; expected \(SavedQuery.compareForms)")
                #expect(!error.isUsage)
            }
        }
    }

    /// Every example in queries/ parses.
    @Test func shippedExamplesParse() throws {
        let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../queries").standardized
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".yaml") }
        #expect(files.count >= 5)
        for file in files {
            let text = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
            #expect(throws: Never.self, "\(file)") { try SavedQuery.parse(text, file: file) }
        }
    }
}

@Suite struct QueryParameterTests {
    @Test func durations() throws {
        #expect(try QueryParameter.duration("30m", name: "--idle") == 1_800_000)
        #expect(try QueryParameter.duration("1h30m", name: "--idle") == 5_400_000)
        #expect(try QueryParameter.duration("1500ms", name: "--idle") == 1500)
        #expect(try QueryParameter.duration("2d", name: "--idle") == 172_800_000)
        #expect(throws: QueryError.badOption("--idle", "30", accepted: QueryParameter.durationForms)) {
            try QueryParameter.duration("30", name: "--idle")
        }
        #expect(throws: QueryError.self) { try QueryParameter.duration("h", name: "--idle") }
        #expect(throws: QueryError.self) { try QueryParameter.duration("", name: "--idle") }
    }

    @Test func commonOptionsNameTheBadFlag() {
        func message(_ body: () throws -> Void) -> String? {
            do { try body(); return nil } catch { return "\(error)" }
        }
        #expect(message { _ = try QueryParameter.options(site: nil, from: "last week", to: nil, tz: nil, memoryLimit: nil, threads: nil) }
            == "--from: 'last week' is not valid; expected \(TimeExpression.acceptedForms)")
        #expect(message { _ = try QueryParameter.options(site: nil, from: nil, to: nil, tz: "Mars/Base", memoryLimit: nil, threads: nil) }?
            .hasPrefix("--tz: 'Mars/Base' is not valid") == true)
        #expect(message { _ = try QueryParameter.options(site: nil, from: "2025-03-04", to: "2025-03-03", tz: nil, memoryLimit: nil, threads: nil) }
            == "--to: '2025-03-03' is not valid; expected a time after --from 2025-03-04")
        #expect(message { _ = try QueryParameter.choice("xml", name: "--format", as: CountsQuery.Interval.self) }
            == "--format: 'xml' is not valid; expected hour, day")
    }
}
