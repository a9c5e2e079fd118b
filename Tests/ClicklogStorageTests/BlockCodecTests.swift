import ClicklogEvents
import ClicklogTestSupport
import Testing
@testable import ClicklogStorage

struct BlockCodecTests {
    @Test(arguments: [BlockCompression.none, .zstd(level: 3), .zstd(level: 1)])
    func randomBatchesRoundTripThroughBlocks(compression: BlockCompression) throws {
        let encoder = BlockEncoder(compression: compression)
        let decoder = BlockDecoder()
        var out: [UInt8] = []
        for (i, events) in edgeBatches(60, maxRows: 80, seed: 42).enumerated() {
            let batch = RandomEvents.batch(events)
            let summary = try encoder.encode(batch, into: &out)
            #expect(summary.rows == events.count)
            #expect(summary.minTs == events.map(\.ts).min() && summary.maxTs == events.map(\.ts).max())
            #expect(summary.minReceivedAt == events.map(\.receivedAt).min())
            #expect(Set(summary.sites) == Set(events.map(\.site)))
            let decoded = try decoder.decode(out)
            #expect(decoded.events == events, "batch \(i)")
            #expect(decoded == batch, "batch \(i): columns differ")
            try out.withUnsafeBytes { _ = try decoder.verify($0) }
        }
    }

    @Test func encodingIsDeterministic() throws {
        let batch = RandomEvents.batch(edgeBatches(1, maxRows: 50, seed: 7)[0])
        #expect(try BlockEncoder().encode(batch) == (try BlockEncoder().encode(batch)))
    }

    @Test func projectionDecodesOnlyRequestedColumns() throws {
        var rng = SeededRandom(seed: 5)
        let events = RandomEvents.realistic(count: 300, rng: &rng)
        let bytes = try BlockEncoder().encode(RandomEvents.batch(events))
        let batch = try BlockDecoder().decode(bytes, columns: ColumnSet([.ts, .site, .props]))
        #expect(batch.count == 300)
        #expect(batch.ts == events.map(\.ts))
        #expect((0..<300).map { batch.site.string(at: $0) } == events.map(\.site))
        #expect((0..<300).map { batch.event(at: $0).props } == events.map(\.props))
        #expect(batch.event.count == 0 && batch.url.count == 0 && batch.anonymousID.count == 0)
        #expect(batch.receivedAt.isEmpty && batch.x.count == 0 && batch.sentAt.count == 0)
    }

    @Test func readStringsGivesDictionaryAndCodes() throws {
        var batch = EventBatch()
        let values: [String?] = ["b", nil, "a", "b", nil, "c"]
        for (i, v) in values.enumerated() {
            batch.append(Event(event: "e", ts: Int64(i), anonymousID: "x", userID: v.map { $0 + "-long-value" }, text: v.map { "\($0)-\(i)" }))
        }
        let bytes = try BlockEncoder().encode(batch)
        let decoder = BlockDecoder()
        let (header, entries) = try bytes.withUnsafeBytes { try BlockDecoder.layout($0) }
        for column in [Column.userID, .text, .event] {
            let strings = try bytes.withUnsafeBytes { try decoder.dictionaryStrings($0, column: column) }
            #expect(strings.count == 6)
            let expected = (0..<6).map { batch[strings: column].string(at: $0) }
            #expect((0..<6).map { strings.string(at: $0) } == expected, "\(column)")
            #expect(strings.dictionary.count == Set(expected).count)
        }
        // userID repeats, so it is dictionary-encoded; text is all distinct, so plain.
        #expect(entries.first { $0.column == Column.userID.rawValue }?.codec == CodecID.dictionaryString.rawValue)
        #expect(entries.first { $0.column == Column.text.rawValue }?.codec == CodecID.plainString.rawValue)
        #expect(header.rows == 6)
    }

    @Test func codecIsChosenPerColumn() throws {
        var rng = SeededRandom(seed: 11)
        let events = RandomEvents.realistic(count: 2000, rng: &rng)
        let bytes = try BlockEncoder().encode(RandomEvents.batch(events))
        let (_, entries) = try bytes.withUnsafeBytes { try BlockDecoder.layout($0) }
        func codec(_ column: Column, part: UInt8 = 0) -> CodecID? {
            entries.first { $0.column == column.rawValue && $0.part == part }.flatMap { CodecID(rawValue: $0.codec) }
        }
        #expect(codec(.id) == .uuid4)
        #expect(codec(.anonymousID) == .dictionaryUUID4)
        #expect(codec(.event) == .dictionaryString)
        #expect(codec(.url) == .dictionaryString)
        #expect(codec(.ts) == .deltaZigZag)
        #expect(codec(.x) == .zigzagVarint)
        #expect(codec(.props, part: ChunkPart.propKeys) == .dictionaryString)
        #expect(codec(.props, part: ChunkPart.propKinds) == .bytes)
        #expect(entries.allSatisfy { $0.isCompressed || $0.storedLength <= 16 || $0.storedLength == $0.encodedLength })
    }

    @Test func mostlyDistinctColumnsSkipTheDictionary() throws {
        var rng = SeededRandom(seed: 31)
        var batch = EventBatch()
        for i in 0..<3000 {
            batch.append(Event(
                event: "e", ts: Int64(i), anonymousID: RandomEvents.timeUUID(&rng),
                id: i % 5 == 0 ? nil : RandomEvents.uuid(&rng), text: i % 7 == 0 ? nil : "free text \(i) \(rng.next())"))
        }
        let bytes = try BlockEncoder().encode(batch)
        let (_, entries) = try bytes.withUnsafeBytes { try BlockDecoder.layout($0) }
        func codec(_ column: Column) -> UInt8? { entries.first { $0.column == column.rawValue }?.codec }
        #expect(codec(.anonymousID) == CodecID.uuid.rawValue)
        #expect(codec(.id) == CodecID.uuid4.rawValue)
        #expect(codec(.text) == CodecID.plainString.rawValue)
        #expect(try BlockDecoder().decode(bytes) == batch)
    }

    @Test func emptyBatchIsRefused() {
        #expect { try BlockEncoder().encode(EventBatch()) } throws: { ($0 as? StorageError)?.code == .invalidBatch }
    }

    @Test func inconsistentColumnsAreRefused() {
        var batch = markedBatch(1, rows: 3)
        batch.url.append("extra")
        #expect { try BlockEncoder().encode(batch) } throws: {
            ($0 as? StorageError)?.code == .invalidBatch && "\($0)".contains("url")
        }
    }

    @Test func everyFlippedByteIsDetected() throws {
        let bytes = try BlockEncoder().encode(markedBatch(3, rows: 2))
        let decoder = BlockDecoder()
        for offset in 0..<bytes.count {
            var damaged = bytes
            damaged[offset] ^= 0x01
            #expect(throws: StorageError.self, "offset \(offset)") {
                try damaged.withUnsafeBytes { _ = try decoder.verify($0) }
            }
            #expect(throws: StorageError.self, "offset \(offset)") { _ = try decoder.decode(damaged) }
        }
    }

    @Test func truncatedBlockIsRejected() throws {
        let bytes = try BlockEncoder().encode(markedBatch(3, rows: 2))
        let decoder = BlockDecoder()
        for length in 0..<bytes.count {
            #expect(throws: StorageError.self) { _ = try decoder.decode(Array(bytes[0..<length])) }
        }
    }

    /// The worked example of docs/format.md: one event, no compression.
    @Test func uncompressedBlockGoldenBytes() throws {
        var batch = EventBatch()
        batch.append(Event(
            event: "click", ts: 1_700_000_000_000, anonymousID: "0123abcd-4567-4890-a1b2-c3d4e5f60718",
            url: "/", x: 12, props: [Event.Prop(key: "k", kind: .number, value: "1")],
            receivedAt: 1_700_000_000_250_000, site: "demo"))
        let bytes = try BlockEncoder(compression: .none).encode(batch)
        let expected = [
            "43 4C 42 4B 01 00 16 00 E0 01 00 00 01 00 00 00",
            "00 68 E5 CF 8B 01 00 00 00 68 E5 CF 8B 01 00 00",
            "90 10 22 18 24 0A 06 00 90 10 22 18 24 0A 06 00",
            "00 00 00 00 B5 25 99 A4 00 00 05 00 07 00 00 00",
            "07 00 00 00 C7 22 D1 84 01 00 03 00 07 00 00 00",
            "07 00 00 00 29 A5 4A BD 02 00 09 00 11 00 00 00",
            "11 00 00 00 41 6D A2 C4 03 00 05 00 01 00 00 00",
            "01 00 00 00 52 D0 16 A0 04 00 05 00 01 00 00 00",
            "01 00 00 00 52 D0 16 A0 05 00 05 00 01 00 00 00",
            "01 00 00 00 52 D0 16 A0 06 00 05 00 03 00 00 00",
            "03 00 00 00 F7 89 68 0D 07 00 05 00 01 00 00 00",
            "01 00 00 00 52 D0 16 A0 08 00 05 00 01 00 00 00",
            "01 00 00 00 52 D0 16 A0 09 00 05 00 01 00 00 00",
            "01 00 00 00 52 D0 16 A0 0A 00 05 00 01 00 00 00",
            "01 00 00 00 52 D0 16 A0 0B 00 02 00 02 00 00 00",
            "02 00 00 00 72 E8 E6 6B 0C 00 02 00 01 00 00 00",
            "01 00 00 00 52 D0 16 A0 0D 00 01 00 02 00 00 00",
            "02 00 00 00 D1 F4 0A 03 0D 01 05 00 03 00 00 00",
            "03 00 00 00 54 03 89 8B 0D 02 04 00 02 00 00 00",
            "02 00 00 00 D1 F4 0A 03 0D 03 05 00 03 00 00 00",
            "03 00 00 00 BF F1 4E B1 0E 00 03 00 09 00 00 00",
            "09 00 00 00 E8 39 40 B9 0F 00 05 00 06 00 00 00",
            "06 00 00 00 5F 45 05 D2 10 00 05 00 01 00 00 00",
            "01 00 00 00 52 D0 16 A0 11 00 05 00 01 00 00 00",
            "01 00 00 00 52 D0 16 A0 12 00 03 00 01 00 00 00",
            "01 00 00 00 52 D0 16 A0 00 05 63 6C 69 63 6B 00",
            "80 A0 AB FE F9 62 00 01 23 AB CD 45 67 90 B2 C3",
            "D4 E5 F6 07 18 88 01 01 01 01 00 01 2F 01 01 01",
            "01 00 18 01 00 01 00 01 6B 00 01 00 01 31 00 A0",
            "C2 90 82 83 89 85 06 00 04 64 65 6D 6F 01 01 01",
        ].joined(separator: " ")
        #expect(bytes.count == 480)
        #expect(bytes.hexString == expected)
        #expect(try BlockDecoder().decode(bytes).events == batch.events)
    }
}
