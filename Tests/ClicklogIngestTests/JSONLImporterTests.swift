import ClicklogEvents
import ClicklogStorage
import ClicklogTestSupport
import Foundation
import Testing
@testable import ClicklogIngest

/// The importer cuts a regular file in place (mapped) and reads a pipe into buffers; both must
/// cut at line boundaries only, keep file order for duplicates, and store the same events.
struct JSONLImporterTests {
    /// Lines of varied length, one far longer than a chunk, a duplicate id whose first copy is
    /// in an earlier chunk, a malformed line and a rejected event.
    func lines() -> [String] {
        var lines: [String] = []
        for i in 0..<300 {
            let padding = String(repeating: "x", count: (i * 37) % 200)
            lines.append(#"{"event":"page_view","ts":\#(1_768_000_000_000 + i),"anonymous_id":"v\#(i % 7)","id":"e\#(i)","title":"\#(padding)"}"#)
        }
        lines.insert(#"{"event":"long","ts":1768000000000,"anonymous_id":"v1","id":"long","text":"\#(String(repeating: "y", count: 900))"}"#, at: 120)
        lines.insert(#"{"event":"page_view","ts":1768000000000,"anonymous_id":"v1","id":"e3"}"#, at: 250)
        lines.insert(#"{"event":"click","ts":"#, at: 200)
        lines.insert(#"{"event":"click","ts":"later","anonymous_id":"v1"}"#, at: 60)
        return lines
    }

    func importFile(_ text: String, viaPipe: Bool, into directory: String) throws -> (ImportSummary, [String]) {
        let (summary, events) = try importEvents(text, viaPipe: viaPipe, chunkBytes: 256, into: directory)
        return (summary, events.map { $0.id ?? "-" })
    }

    /// Imports `text` and reads back every stored event, in log order.
    func importEvents(_ text: String, viaPipe: Bool, chunkBytes: Int, into directory: String) throws -> (ImportSummary, [Event]) {
        let file = directory + ".jsonl"
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        let writer = try LogWriter(directory: directory)
        let quarantine = try Quarantine(directory: directory)
        var window = DeduplicationWindow()
        var importer = JSONLImporter()
        importer.options.chunkBytes = chunkBytes
        let summary: ImportSummary
        if viaPipe {
            var fds: [Int32] = [0, 0]
            #expect(pipe(&fds) == 0)
            let bytes = Array(text.utf8)
            let input = fds[1]
            let feeder = Thread {
                bytes.withUnsafeBytes { b in
                    var sent = 0
                    while sent < b.count {
                        let n = write(input, b.baseAddress! + sent, b.count - sent)
                        if n <= 0 { break }
                        sent += n
                    }
                }
                close(input)
            }
            feeder.start()
            summary = try importer.run(fd: fds[0], writer: writer, quarantine: quarantine, deduplication: &window)
            close(fds[0])
        } else {
            let fd = open(file, O_RDONLY)
            defer { close(fd) }
            summary = try importer.run(fd: fd, writer: writer, quarantine: quarantine, deduplication: &window)
        }
        try writer.close()
        let reader = try LogReader(directory: directory)
        var events: [Event] = []
        for block in try reader.blocks() { events += try reader.read(block).events }
        return (summary, events)
    }

    @Test func mappedFileAndPipeStoreTheSameEventsInFileOrder() throws {
        let dir = try TemporaryDirectory("importer")
        defer { dir.remove() }
        let text = lines().joined(separator: "\n") + "\n"
        let (mapped, mappedIDs) = try importFile(text, viaPipe: false, into: dir.appending("mapped"))
        let (piped, pipedIDs) = try importFile(text, viaPipe: true, into: dir.appending("piped"))

        #expect(mapped.lines == 304)
        #expect(mapped.accepted == 301, "300 page views and the long line; the second e3 is a duplicate")
        #expect(mapped.duplicates == 1)
        #expect(mapped.rejected == 1)
        #expect(mapped.malformed == 1)
        #expect(mapped.blocks > 10, "small chunks give many blocks")
        let expected = (0..<120).map { "e\($0)" } + ["long"] + (120..<300).map { "e\($0)" }
        #expect(mappedIDs == expected, "file order, the first e3 kept")
        #expect(Set(mappedIDs).count == mappedIDs.count, "every id once")
        #expect(piped.accepted == mapped.accepted && piped.duplicates == mapped.duplicates)
        #expect(piped.rejected == mapped.rejected && piped.malformed == mapped.malformed && piped.lines == mapped.lines)
        #expect(pipedIDs == mappedIDs)
    }

    @Test func recycledChunksStoreTheSameEventsAsOneChunk() throws {
        // Chunks of 256 bytes: about a hundred of them pass through a few recycled buffers
        // (columns, props, refusals, the block), which must carry nothing over.
        let dir = try TemporaryDirectory("importer")
        defer { dir.remove() }
        var lines = lines()
        for i in 0..<40 {
            lines.append(#"{"event":"click","ts":\#(1_768_000_100_000 + i),"anonymous_id":"w\#(i % 3)","id":"p\#(i)","x":\#(i),"props":{"k\#(i % 4)":\#(i),"s":"\#(String(repeating: "z", count: i))"}}"#)
        }
        let text = lines.joined(separator: "\n") + "\n"
        let (small, smallEvents) = try importEvents(text, viaPipe: false, chunkBytes: 256, into: dir.appending("small"))
        let (whole, wholeEvents) = try importEvents(text, viaPipe: false, chunkBytes: 1 << 20, into: dir.appending("whole"))
        #expect(whole.blocks == 1 && small.blocks > 50)
        #expect(small.accepted == whole.accepted && small.rejected == whole.rejected && small.malformed == whole.malformed)
        func comparable(_ events: [Event]) -> [Event] {
            events.map { var e = $0; e.receivedAt = 0; return e }
        }
        #expect(comparable(smallEvents) == comparable(wholeEvents))
        #expect(wholeEvents.count == 341)
    }
}
