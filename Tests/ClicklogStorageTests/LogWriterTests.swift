import ClicklogEvents
import ClicklogTestSupport
import Testing
@testable import ClicklogStorage

struct LogWriterTests {
    @Test func randomEventsWrittenToTheLogReadBackEqual() throws {
        try withDataDirectory { dir in
            let batches = edgeBatches(25, maxRows: 60, seed: 99)
            let writer = try LogWriter(directory: dir)
            #expect(writer.recovery.isClean)
            for (i, events) in batches.enumerated() {
                try writer.append(RandomEvents.batch(events))
                if i % 4 == 3 { try writer.commit() }
            }
            try writer.close()
            #expect(try readAll(dir) == batches.flatMap { $0 })
            let reader = try LogReader(directory: dir)
            #expect(try reader.blocks().count == batches.count)
            #expect(reader.problems.isEmpty)
        }
    }

    @Test func segmentsAreSealedAtTheSizeLimit() throws {
        try withDataDirectory { dir in
            let batches = edgeBatches(30, maxRows: 20, seed: 3)
            var options = LogOptions()
            options.segmentSizeLimit = 8 << 10
            let writer = try LogWriter(directory: dir, options: options)
            for events in batches { try writer.appendAndCommit(RandomEvents.batch(events)) }
            let catalog = try Catalog(readerPath: DataLayout(directory: dir).catalog)
            let segments = try catalog.segments()
            #expect(segments.count > 2)
            #expect(segments.dropLast().allSatisfy(\.sealed) && segments.last?.sealed == false)
            for segment in segments.dropLast() {
                let size = try PosixFile(path: segmentPath(dir, segment.sequence), mode: .readOnly).size()
                let blocks = try catalog.blocks(segment: segment.sequence)
                // Over the limit only when one block alone is larger.
                #expect(size <= options.segmentSizeLimit || blocks.count == 1)
                #expect(blocks.last.map { $0.offset + $0.length } == size)
            }
            try writer.close()
            #expect(try readAll(dir) == batches.flatMap { $0 })
        }
    }

    @Test func segmentsAreSealedAtTheAgeLimit() throws {
        try withDataDirectory { dir in
            let clock = Locked<Int64>(1_000_000)
            var options = LogOptions(segmentAgeLimit: .seconds(60))
            options.clock = { clock.withLock { $0 } }
            let writer = try LogWriter(directory: dir, options: options)
            try writer.appendAndCommit(markedBatch(1, rows: 2))
            try writer.appendAndCommit(markedBatch(2, rows: 2))
            #expect(writer.activeSegment == 1)
            clock.withLock { $0 += 61_000_000 }
            try writer.appendAndCommit(markedBatch(3, rows: 2))
            #expect(writer.activeSegment == 2)
            try writer.close()
            #expect(try readAll(dir).map(\.ts) == [1, 1, 2, 2, 3, 3])
        }
    }

    @Test func uncommittedBlocksAreInvisibleToReaders() throws {
        try withDataDirectory { dir in
            let writer = try LogWriter(directory: dir)
            let reader = try LogReader(directory: dir)
            try writer.append(markedBatch(1, rows: 3))
            #expect(try reader.blocks().isEmpty)
            #expect(writer.uncommittedBlocks == 1)
            try writer.commit()
            #expect(try reader.blocks().map(\.rows) == [3])
            #expect(writer.uncommittedBlocks == 0)
        }
    }

    @Test func secondWriterIsRefusedByTheLock() throws {
        try withDataDirectory { dir in
            let writer = try LogWriter(directory: dir)
            #expect { try LogWriter(directory: dir) } throws: { ($0 as? StorageError)?.code == .locked }
            try writer.close()
            let again = try LogWriter(directory: dir)
            try again.close()
        }
    }

    @Test func readerDoesNotNeedTheLock() throws {
        try withDataDirectory { dir in
            let writer = try LogWriter(directory: dir)
            try writer.appendAndCommit(markedBatch(1, rows: 1))
            #expect(try LogReader(directory: dir).blocks().count == 1)
            try writer.close()
        }
    }

    @Test func reopenedWriterContinuesTheLastSegment() throws {
        try withDataDirectory { dir in
            let first = try LogWriter(directory: dir)
            try first.appendAndCommit(markedBatch(1, rows: 2))
            try first.close()
            let second = try LogWriter(directory: dir)
            #expect(second.recovery.isClean)
            let location = try second.appendAndCommit(markedBatch(2, rows: 2))
            #expect(location.segment == 1 && location.offset > SegmentHeader.size)
            try second.close()
            #expect(try readAll(dir).map(\.ts) == [1, 1, 2, 2])
        }
    }

    @Test func closedWriterRefusesAppends() throws {
        try withDataDirectory { dir in
            let writer = try LogWriter(directory: dir)
            try writer.close()
            #expect { try writer.append(markedBatch(1, rows: 1)) } throws: { ($0 as? StorageError)?.code == .writerFailed }
        }
    }

    @Test func blocksArePrunedByTimeRangeAndSite() throws {
        try withDataDirectory { dir in
            let writer = try LogWriter(directory: dir)
            for marker in Int64(1)...6 { try writer.appendAndCommit(markedBatch(marker * 100, rows: 2)) }
            var mixed = markedBatch(701, rows: 1)
            mixed.append(Event(event: "x", ts: 750, anonymousID: "a", site: "even"))
            try writer.appendAndCommit(mixed)
            let reader = try LogReader(directory: dir)
            #expect(try reader.blocks().count == 7)
            #expect(try reader.blocks(from: 200, to: 400).map(\.minTs) == [200, 300])
            #expect(try reader.blocks(from: 250).map(\.minTs) == [300, 400, 500, 600, 701])
            #expect(try reader.blocks(to: 101).map(\.minTs) == [100])
            #expect(try reader.blocks(from: 740, to: 741).map(\.maxTs) == [750])
            #expect(try reader.blocks(site: "odd").map(\.minTs) == [701])
            #expect(try reader.blocks(site: "even").count == 7)
            #expect(try reader.blocks(from: 300, to: 301, site: "even").map(\.minTs) == [300])
            #expect(try reader.blocks(site: "none").isEmpty)
            #expect(try reader.blocks().last?.sites == ["odd", "even"])
        }
    }

    @Test func readerProjectsColumns() throws {
        try withDataDirectory { dir in
            var rng = SeededRandom(seed: 8)
            let events = RandomEvents.realistic(count: 500, rng: &rng)
            let writer = try LogWriter(directory: dir)
            try writer.appendAndCommit(RandomEvents.batch(events))
            let reader = try LogReader(directory: dir)
            let block = try #require(try reader.blocks().first)
            let batch = try reader.read(block, columns: ColumnSet([.url, .receivedAt]))
            #expect(batch.count == 500 && batch.receivedAt == events.map(\.receivedAt))
            #expect((0..<500).map { batch.url.string(at: $0) } == events.map(\.url))
            #expect(batch.ts.isEmpty && batch.event.count == 0 && batch.propEnds.isEmpty && batch.site.count == 0)
            let sites = try reader.readStrings(block, column: .site)
            #expect((0..<500).map { sites.string(at: $0) } == events.map(\.site))
            let original = RandomEvents.batch(events)
            for column in [Column.anonymousID, .sessionID, .url, .title, .referrer, .userAgent] {
                let strings = try reader.readStrings(block, column: column)
                let expected = (0..<500).map { original[strings: column].string(at: $0) }
                #expect((0..<500).map { strings.string(at: $0) } == expected, "\(column)")
            }
            let ids = try reader.readStrings(block, column: .id)
            #expect(ids.dictionary.count == 500 && (0..<500).map { ids.string(at: $0) } == events.map(\.id))
        }
    }

    @Test func emptyDirectoryReadsAsEmpty() throws {
        try withDataDirectory { dir in
            try makeDirectory(dir)
            #expect(try LogReader(directory: dir).blocks().isEmpty)
            #expect(throws: StorageError.self) { try LogReader(directory: dir + "/missing") }
        }
    }
}
