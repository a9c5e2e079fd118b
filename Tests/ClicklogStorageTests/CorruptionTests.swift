import ClicklogEvents
import ClicklogTestSupport
import Testing
@testable import ClicklogStorage

/// Damage in the middle of the log (bit rot, a bad sector): found, reported with its position,
/// skipped by readers, never a crash, never a truncation.
struct CorruptionTests {
    /// Seven blocks of ~1 KiB with a 3 KiB segment limit: segments 1–3 sealed, 4 active.
    func sealedLog(_ dir: String) throws -> [BlockInfo] {
        var options = LogOptions()
        options.segmentSizeLimit = 3 << 10
        let writer = try LogWriter(directory: dir, options: options)
        for marker in Int64(1)...10 { try writer.appendAndCommit(markedBatch(marker, rows: 60)) }
        try writer.close()
        let blocks = try LogReader(directory: dir).blocks()
        #expect(blocks.filter { $0.segment == 1 }.count >= 3)
        return blocks
    }

    @Test func checksumMismatchInSealedSegmentIsSkippedByReaders() throws {
        try withDataDirectory { dir in
            let blocks = try sealedLog(dir)
            let victim = blocks[1]
            #expect(victim.segment == 1)
            let entries = try readFile(segmentPath(dir, 1)).withUnsafeBytes {
                try BlockDecoder.layout(UnsafeRawBufferPointer(rebasing: $0[victim.offset...])).1
            }
            // Damage the event chunk, the ts chunk, the header and the directory in turn.
            let targets = [entries[0].offset, entries[1].offset + 1, 10, Format.blockHeaderSize + 5]
            let original = try readFile(segmentPath(dir, 1))
            for target in targets {
                try writeFile(segmentPath(dir, 1), original)
                try flipByte(segmentPath(dir, 1), at: victim.offset + target)
                let reader = try LogReader(directory: dir)
                var markers: [Int64] = []
                try reader.scan(columns: ColumnSet([.ts, .event])) { _, batch in markers.append(batch.ts[0]) }
                #expect(markers == [1, 3, 4, 5, 6, 7, 8, 9, 10], "damage at +\(target)")
                #expect(reader.problems.count == 1)
                #expect(reader.problems.first?.file == segmentPath(dir, 1))
                #expect(reader.problems.first?.offset == victim.offset)
                #expect {
                    try reader.read(victim)
                } throws: { error in
                    let e = error as? StorageError
                    return e?.code == .corrupt && e?.position?.offset == victim.offset && "\(error)".contains(segmentPath(dir, 1))
                }
                // Reopening the writer trusts the catalog and truncates nothing.
                let writer = try LogWriter(directory: dir)
                #expect(writer.recovery.truncations.isEmpty)
                try writer.close()
                #expect(try readFile(segmentPath(dir, 1)).count == original.count)
            }
        }
    }

    @Test func damagedHeaderInTheMiddleIsSkippedByARebuild() throws {
        try withDataDirectory { dir in
            let blocks = try sealedLog(dir)
            let victim = blocks[1]
            try flipByte(segmentPath(dir, 1), at: victim.offset + 2)  // the magic
            let report = try LogWriter.rebuildCatalog(directory: dir)
            #expect(report.damaged.map(\.offset) == [victim.offset])
            #expect(report.damaged.first?.length == victim.length)
            #expect(report.truncations.isEmpty)
            let after = try LogReader(directory: dir).blocks()
            #expect(after == blocks.filter { $0.location != victim.location })
        }
    }

    @Test func corruptLastBlockOfASealedSegmentIsNotTruncated() throws {
        try withDataDirectory { dir in
            let blocks = try sealedLog(dir)
            let last = try #require(blocks.last { $0.segment == 1 })
            try flipByte(segmentPath(dir, 1), at: last.offset + last.length - 1)
            let report = try LogWriter.rebuildCatalog(directory: dir)
            #expect(report.truncations.isEmpty)
            #expect(report.damaged.map(\.offset) == [last.offset])
            #expect(try readFile(segmentPath(dir, 1)).count == last.offset + last.length)
        }
    }

    @Test func garbageBytesNeverCrashTheDecoder() throws {
        var rng = SeededRandom(seed: 77)
        let decoder = BlockDecoder()
        let good = try BlockEncoder().encode(RandomEvents.batch(RandomEvents.edgeCases(count: 30, rng: &rng)))
        for round in 0..<300 {
            var bytes = good
            // Keep header checksums valid sometimes by re-sealing, so decoding goes past the checks.
            for _ in 0..<(1 + Int(rng.next() % 4)) {
                let i = Int(rng.next() % UInt64(bytes.count))
                bytes[i] = UInt8(truncatingIfNeeded: rng.next())
            }
            if round % 2 == 0 { reseal(&bytes) }
            _ = try? decoder.decode(bytes)
            _ = try? bytes.withUnsafeBytes { try decoder.dictionaryStrings($0, column: .url) }
        }
    }

    /// Recomputes every checksum so that damage reaches the codecs instead of the CRC check.
    func reseal(_ bytes: inout [UInt8]) {
        guard let header = try? bytes.withUnsafeBytes({ try BlockHeader.parse($0) }), header.length == bytes.count,
              header.prefixLength <= bytes.count else { return }
        var offset = header.prefixLength
        for i in 0..<header.chunkCount {
            let at = Format.blockHeaderSize + i * Format.directoryEntrySize
            let length = Int(bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: at + 4, as: UInt32.self) })
            guard offset + length <= bytes.count else { return }
            let crc = CRC32C.checksum(Array(bytes[offset..<(offset + length)]))
            bytes.storeLittleEndian(crc, at: at + 12)
            offset += length
        }
        header.seal(&bytes)
    }
}
