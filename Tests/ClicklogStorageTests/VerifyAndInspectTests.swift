import ClicklogEvents
import ClicklogTestSupport
import Testing
@testable import ClicklogStorage

struct VerifyAndInspectTests {
    func smallSegments() -> LogOptions {
        var options = LogOptions()
        options.segmentSizeLimit = 6 << 10
        return options
    }

    func writeLog(_ dir: String, batches: Int = 12) throws -> [[Event]] {
        let events = edgeBatches(batches, maxRows: 30, seed: 21)
        let writer = try LogWriter(directory: dir, options: smallSegments())
        for batch in events { try writer.appendAndCommit(RandomEvents.batch(batch)) }
        try writer.close()
        return events
    }

    @Test func intactLogVerifiesClean() throws {
        try withDataDirectory { dir in
            let events = try writeLog(dir)
            let quarantine = try Quarantine(directory: dir)
            try quarantine.append([1, 2, 3], reason: "test")
            try quarantine.sync()
            let report = try LogVerifier.verify(directory: dir)
            #expect(report.isIntact, "\(report.problems)")
            #expect(report.blocks == events.count && report.rows == events.joined().count)
            #expect(report.segments > 1 && report.quarantineRecords == 1 && !report.writerActive)
        }
    }

    @Test func flippedByteInAMiddleBlockIsReportedWithItsPosition() throws {
        try withDataDirectory { dir in
            _ = try writeLog(dir)
            let blocks = try LogReader(directory: dir).blocks()
            let victim = blocks[1]
            try flipByte(segmentPath(dir, victim.segment), at: victim.offset + victim.length / 2)
            let report = try LogVerifier.verify(directory: dir)
            #expect(!report.isIntact)
            #expect(report.problems.map(\.offset) == [victim.offset])
            #expect(report.problems.first?.file == segmentPath(dir, victim.segment))
            #expect(report.blocks == blocks.count - 1)
        }
    }

    @Test func tornTailIsReportedButNotRepairedByVerify() throws {
        try withDataDirectory { dir in
            _ = try writeLog(dir, batches: 3)
            let path = segmentPath(dir, try LogReader(directory: dir).blocks().last!.segment)
            let bytes = try readFile(path)
            try writeFile(path, bytes + [0x43, 0x4C, 0x42, 0x4B, 0x01])
            let report = try LogVerifier.verify(directory: dir)
            #expect(report.problems.map(\.offset) == [bytes.count])
            #expect(try readFile(path).count == bytes.count + 5)
        }
    }

    @Test func catalogRebuildGivesTheSameBlockList() throws {
        try withDataDirectory { dir in
            _ = try writeLog(dir)
            let before = try LogReader(directory: dir).blocks()
            let report = try LogWriter.rebuildCatalog(directory: dir, options: smallSegments())
            #expect(report.addedBlocks.count == before.count)
            #expect(report.truncations.isEmpty && report.damaged.isEmpty)
            #expect(try LogReader(directory: dir).blocks() == before)
            #expect(try LogVerifier.verify(directory: dir).isIntact)
        }
    }

    @Test func catalogMissingABlockIsReported() throws {
        try withDataDirectory { dir in
            _ = try writeLog(dir, batches: 4)
            let catalog = try Catalog(writerPath: DataLayout(directory: dir).catalog)
            let last = try #require(try catalog.blocks().last)
            var change = Catalog.Change()
            change.truncatedSegments = [(last.segment, last.offset)]
            try catalog.apply(change)
            let report = try LogVerifier.verify(directory: dir)
            #expect(report.problems.map(\.offset) == [last.offset])
            #expect(report.problems.first?.reason.contains("missing from the catalog") == true)
        }
    }

    @Test func verifyChecksAroundARunningWriter() throws {
        try withDataDirectory { dir in
            let writer = try LogWriter(directory: dir)
            try writer.appendAndCommit(markedBatch(1, rows: 5))
            try writer.append(markedBatch(2, rows: 5))
            let report = try LogVerifier.verify(directory: dir)
            #expect(report.writerActive && report.isIntact && report.blocks == 1)
            try writer.close()
        }
    }

    @Test func inspectReportsColumnsAndRanges() throws {
        try withDataDirectory { dir in
            var rng = SeededRandom(seed: 4)
            let events = RandomEvents.realistic(count: 3000, rng: &rng)
            let writer = try LogWriter(directory: dir)
            try writer.appendAndCommit(RandomEvents.batch(Array(events[0..<2000])))
            try writer.appendAndCommit(RandomEvents.batch(Array(events[2000...])))
            try writer.close()
            let report = try LogInspector.inspect(directory: dir)
            #expect(report.blocks == 2 && report.rows == 3000 && report.segments.count == 1)
            #expect(report.minTs == events.map(\.ts).min() && report.maxTs == events.map(\.ts).max())
            #expect(report.maxReceivedAt == events.map(\.receivedAt).max())
            #expect(report.columns.map(\.name).prefix(3) == ["event", "ts", "anonymous_id"])
            #expect(report.columns.count == 22)
            let stored = report.columns.reduce(0) { $0 + $1.storedBytes }
            #expect(stored + report.overheadBytes + SegmentHeader.size == report.fileBytes)
            #expect(report.columns.first { $0.name == "id" }?.codecs == ["uuid4": 2])
            #expect(report.bytesPerEvent > 0)
        }
    }
}
