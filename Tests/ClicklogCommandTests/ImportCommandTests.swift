import ClicklogTestSupport
import Foundation
import Testing

@Suite struct ImportCommandTests {
    let good = #"{"event":"page_view","ts":1768000000000,"anonymous_id":"v1","id":"e1","url":"https://shop.example/"}"#
    let goodToo = ##"{"event":"click","ts":1768000001000,"anonymous_id":"v1","id":"e2","selector":"#buy"}"##
    let badTs = #"{"event":"click","ts":"soon","anonymous_id":"v1","id":"e3"}"#
    let malformed = #"{"event":"click","ts":1768000001000,"#
    let batch = #"{"seq":1,"events":[{"event":"login","ts":1768000002000,"anonymous_id":"v1","id":"e4","user_id":"u1"},{"event":"x","ts":1768000002000,"anonymous_id":""}]}"#

    @Test func importCountsAcceptedRejectedDuplicateAndMalformedLines() throws {
        let dir = try TemporaryDirectory("import")
        defer { dir.remove() }
        let file = dir.appending("events.jsonl")
        try [good, goodToo, badTs, "", malformed, batch, good].joined(separator: "\n").write(toFile: file, atomically: true, encoding: .utf8)

        let result = try Clicklog.run(["import", file, "--data", dir.appending("data")])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("3 accepted, 2 rejected, 1 duplicates, 1 malformed lines; 7 lines, 1 blocks"), "\(result.stdout)")

        let verify = try Clicklog.run(["verify", "--data", dir.appending("data")])
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")

        let quarantine = try quarantineText(dir.appending("data"))
        #expect(quarantine.contains("ts: not a number or RFC 3339 time"))
        #expect(quarantine.contains("anonymous_id: must not be empty"))
        #expect(quarantine.contains("invalid JSON"))
    }

    @Test func importingTheSameFileTwiceStoresItOnce() throws {
        let dir = try TemporaryDirectory("import-twice")
        defer { dir.remove() }
        let file = dir.appending("events.jsonl")
        try [good, goodToo].joined(separator: "\n").write(toFile: file, atomically: true, encoding: .utf8)
        let first = try Clicklog.run(["import", file, "--data", dir.appending("data")])
        #expect(first.stdout.hasPrefix("2 accepted, 0 rejected, 0 duplicates"), "\(first.stdout)\(first.stderr)")
        let second = try Clicklog.run(["import", file, "--data", dir.appending("data")])
        #expect(second.stdout.hasPrefix("0 accepted, 0 rejected, 2 duplicates"), "\(second.stdout)\(second.stderr)")
    }

    @Test func generatedTrafficImportsWithoutRejections() throws {
        let dir = try TemporaryDirectory("import-generated")
        defer { dir.remove() }
        let file = dir.appending("events.jsonl")
        let generate = try Clicklog.run(["generate", "--events", "20000", "--seed", "7", "--days", "2"], stdoutFile: file)
        #expect(generate.status == 0, "\(generate.stderr)")
        let result = try Clicklog.run(["import", file, "--data", dir.appending("data")])
        #expect(result.stdout.hasPrefix("20000 accepted, 0 rejected, 0 duplicates, 0 malformed lines; 20000 lines"), "\(result.stdout)\(result.stderr)")
        let inspect = try Clicklog.run(["inspect", "--data", dir.appending("data")])
        #expect(inspect.status == 0)
        #expect(inspect.stdout.contains("20000"), "\(inspect.stdout)")
    }

    @Test func missingFileIsAClearError() throws {
        let dir = try TemporaryDirectory("import-missing")
        defer { dir.remove() }
        let result = try Clicklog.run(["import", dir.appending("nope.jsonl"), "--data", dir.appending("data")])
        #expect(result.status != 0)
        #expect((result.stdout + result.stderr).contains("cannot open"))
    }

    func quarantineText(_ data: String) throws -> String {
        let files = FileManager.default.enumerator(atPath: data)?.compactMap { $0 as? String } ?? []
        return try files.filter { $0.contains("quarantine") }.map { name -> String in
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: data + "/" + name, isDirectory: &isDir), !isDir.boolValue else { return "" }
            return String(decoding: try Data(contentsOf: URL(fileURLWithPath: data + "/" + name)), as: UTF8.self)
        }.joined()
    }
}
