import ClicklogEvents
import ClicklogTestSupport
import Testing
@testable import ClicklogStorage

/// Crashes simulated by cutting or damaging the bytes a crash could leave: the last block was
/// written but never committed (no fsync, no catalog entry).
struct CrashRecoveryTests {
    /// Writes two committed blocks and a third that is appended but never committed, as a crash
    /// before `commit` leaves it; returns the segment's bytes and where the third block starts.
    func logWithUncommittedTail(_ dir: String) throws -> (bytes: [UInt8], tailStart: Int) {
        let writer = try LogWriter(directory: dir)
        try writer.appendAndCommit(markedBatch(1, rows: 3))
        try writer.appendAndCommit(markedBatch(2, rows: 2))
        let tail = try writer.append(markedBatch(3, rows: 1))
        // Dropped without commit: the process "died". The lock goes with it, as after kill -9.
        _ = consume writer
        let bytes = try readFile(segmentPath(dir, 1))
        #expect(bytes.count == tail.offset + tail.length)
        return (bytes, tail.offset)
    }

    @Test func truncatedTrailingBlockIsCutOff() throws {
        try withDataDirectory { dir in
            let (bytes, tailStart) = try logWithUncommittedTail(dir)
            // One reader for every round: the segment keeps its inode, so its cached fd stays valid.
            let reader = try LogReader(directory: dir)
            for cut in tailStart..<bytes.count {
                try overwrite(segmentPath(dir, 1), with: bytes[0..<cut])
                let writer = try LogWriter(directory: dir)
                let report = writer.recovery
                if cut == tailStart {
                    #expect(report.isClean)
                } else {
                    #expect(report.truncations.count == 1, "cut at \(cut)")
                    #expect(report.truncations.first?.offset == tailStart)
                    #expect(report.truncations.first?.removedBytes == cut - tailStart)
                    #expect(report.truncations.first?.file == segmentPath(dir, 1))
                }
                #expect(report.addedBlocks.isEmpty && report.damaged.isEmpty)
                try writer.close()
                #expect(try PosixFile(path: segmentPath(dir, 1), mode: .readOnly).size() == tailStart)
                var markers: [Int64] = []
                try reader.scan(columns: ColumnSet(.ts)) { _, batch in markers += batch.ts }
                #expect(markers == [1, 1, 1, 2, 2], "cut at \(cut)")
            }
            #expect(reader.problems.isEmpty)
        }
    }

    @Test func corruptTrailingBlockIsCutOff() throws {
        try withDataDirectory { dir in
            let (bytes, tailStart) = try logWithUncommittedTail(dir)
            let reader = try LogReader(directory: dir)
            // Every byte of header and directory, then every third byte of the chunks.
            let directoryEnd = tailStart + Format.blockHeaderSize + 22 * Format.directoryEntrySize
            let offsets = Array(tailStart..<directoryEnd) + Array(stride(from: directoryEnd, to: bytes.count, by: 3))
            for (round, offset) in offsets.enumerated() {
                var damaged = bytes
                damaged[offset] ^= 0x10
                try overwrite(segmentPath(dir, 1), with: damaged[...])
                let writer = try LogWriter(directory: dir)
                #expect(writer.recovery.truncations.map(\.offset) == [tailStart], "byte \(offset)")
                #expect(writer.recovery.addedBlocks.isEmpty && writer.recovery.damaged.isEmpty)
                #expect(try PosixFile(path: segmentPath(dir, 1), mode: .readOnly).size() == tailStart)
                if round % 25 == 0 {
                    // The writer appends after the cut, where the damaged block was.
                    let next = try writer.appendAndCommit(markedBatch(4, rows: 1))
                    #expect(next.offset == tailStart)
                    var markers: [Int64] = []
                    try reader.scan(columns: ColumnSet(.ts)) { _, batch in markers += batch.ts }
                    #expect(markers == [1, 1, 1, 2, 2, 4], "byte \(offset)")
                    try truncateCatalog(dir, toBlocks: 2)
                }
                try writer.close()
            }
            #expect(reader.problems.isEmpty)
        }
    }

    /// The crash came after the block's fsync but before its catalog insert.
    @Test func blockWrittenButNotCataloguedIsAddedOnOpen() throws {
        try withDataDirectory { dir in
            let (_, tailStart) = try logWithUncommittedTail(dir)
            let writer = try LogWriter(directory: dir)
            #expect(writer.recovery.truncations.isEmpty)
            #expect(writer.recovery.addedBlocks.map(\.offset) == [tailStart])
            try writer.close()
            #expect(try readAll(dir).map(\.ts) == [1, 1, 1, 2, 2, 3])
            let reader = try LogReader(directory: dir)
            #expect(try reader.blocks().last?.sites == ["odd"])
        }
    }

    @Test func unfinishedNewSegmentIsRemoved() throws {
        try withDataDirectory { dir in
            let writer = try LogWriter(directory: dir)
            try writer.appendAndCommit(markedBatch(1, rows: 1))
            try writer.close()
            // A crash while creating segment 2: its header never became durable.
            try writeFile(segmentPath(dir, 2), [0x43, 0x4C, 0x53])
            let reopened = try LogWriter(directory: dir)
            #expect(reopened.recovery.removedFiles == [segmentPath(dir, 2)])
            // Segment 1 was sealed (made durable) before 2 was created; numbers are never reused.
            let location = try reopened.appendAndCommit(markedBatch(2, rows: 1))
            #expect(location.segment == 3)
            try reopened.close()
            #expect(try readAll(dir).map(\.ts) == [1, 2])
        }
    }

    @Test func missingCatalogIsRebuiltByTheWriter() throws {
        try withDataDirectory { dir in
            let batches = edgeBatches(6, seed: 12)
            var options = LogOptions()
            options.segmentSizeLimit = 4 << 10
            let writer = try LogWriter(directory: dir, options: options)
            for events in batches { try writer.appendAndCommit(RandomEvents.batch(events)) }
            try writer.close()
            let before = try LogReader(directory: dir).blocks()
            for suffix in ["", "-wal", "-shm"] { try removeFile(DataLayout(directory: dir).catalog + suffix) }
            #expect { try LogReader(directory: dir).blocks() } throws: { ($0 as? StorageError)?.code == .catalog }
            let reopened = try LogWriter(directory: dir, options: options)
            #expect(reopened.recovery.addedBlocks.count == before.count)
            try reopened.close()
            #expect(try LogReader(directory: dir).blocks() == before)
            #expect(try readAll(dir) == batches.flatMap { $0 })
        }
    }

    /// Replaces the file's contents in place (same inode), as a crash leaves it.
    func overwrite(_ path: String, with bytes: ArraySlice<UInt8>) throws {
        let file = try PosixFile(path: path, mode: .readWrite)
        try file.truncate(to: 0)
        try Array(bytes).withUnsafeBytes { try file.write($0, at: 0) }
    }

    /// Forgets catalog entries beyond the first `count` blocks, as if their insert never happened.
    func truncateCatalog(_ dir: String, toBlocks count: Int) throws {
        let catalog = try Catalog(writerPath: DataLayout(directory: dir).catalog)
        let blocks = try catalog.blocks()
        guard blocks.count > count else { return }
        var change = Catalog.Change()
        change.truncatedSegments = [(blocks[count].segment, blocks[count].offset)]
        try catalog.apply(change)
    }
}
