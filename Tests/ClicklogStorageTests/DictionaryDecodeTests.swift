import ClicklogEvents
import Foundation
import Testing
@testable import ClicklogStorage

/// Decoding dictionary codes and values the way the query engine asks for them: move-to-front
/// ranks back to codes, and UUID dictionaries left as their 16 bytes.
struct DictionaryDecodeTests {
    /// Codes of bursty ids: each row repeats one of the last few values or, now and then, one
    /// from far back or a new one, so ranks range from 0 past the 16 values one vector step moves.
    static func burstyCodes(seed: UInt64, rows: Int) -> [UInt32] {
        var state = seed
        func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        var codes: [UInt32] = []
        var distinct: UInt32 = 0
        for _ in 0..<rows {
            let roll = next() % 100
            if distinct == 0 || roll < 5 {
                codes.append(distinct)
                distinct += 1
            } else {
                let back = roll < 80 ? Int(next() % 8) : roll < 95 ? Int(next() % 64) : Int(next() % UInt64(codes.count))
                codes.append(codes[codes.count - 1 - min(back, codes.count - 1)])
            }
        }
        return codes
    }

    @Test(arguments: [(1, 1), (2, 17), (3, 1000), (4, 20_000)])
    func moveToFrontRanksDecodeBackToTheirCodes(seed: UInt64, rows: Int) throws {
        let codes = Self.burstyCodes(seed: seed, rows: rows)
        let distinct = Int(codes.max()!) + 1
        var mtf = MoveToFront()
        var ranks: [UInt32] = []
        #expect(mtf.ranks(of: codes, distinct: distinct, into: &ranks, budget: .max) != nil)
        if rows >= 1000 { #expect(ranks.contains { $0 >= 32 }) }  // moves of more than one vector step
        var bytes: [UInt8] = []
        for r in ranks { bytes.appendVarint(UInt64(r)) }
        var decoded: [UInt32] = [7]  // codes are appended after what the array holds
        try bytes.withUnsafeBytes {
            var reader = ByteReader($0)
            try mtf.codes(&reader, count: codes.count, distinct: distinct, into: &decoded)
            try reader.expectEnd("ranks")
        }
        #expect(decoded == [7] + codes)
    }

    @Test func moveToFrontOfTheOldestValueMovesTheWholeList() throws {
        // Ranks 0, 1, 2, ... 39 make 40 new values; then rank 39 is the oldest (code 0), then
        // rank 39 again the next oldest (code 1): each moves 39 values, three vector steps.
        var bytes: [UInt8] = Array(0..<40)
        bytes += [39, 39, 0, 2]
        var mtf = MoveToFront()
        var codes: [UInt32] = []
        try bytes.withUnsafeBytes { var r = ByteReader($0); try mtf.codes(&r, count: bytes.count, distinct: 40, into: &codes) }
        #expect(Array(codes.prefix(40)) == Array(0..<40))
        // Recency after the moves: ..., 38, 39, 0, 1; rank 2 is 39.
        #expect(Array(codes.suffix(4)) == [0, 1, 1, 39])
    }

    static let uuids = [
        "0123abcd-4567-4890-a1b2-c3d4e5f60718", "ffffffff-ffff-4fff-bfff-ffffffffffff",
        "00000000-0000-4000-8000-000000000000", "9b2e4c1a-7d3f-4e8b-9a6c-5d4e3f2a1b0c",
    ]

    static func binary(_ text: String) -> [UInt8] {
        var out: [UInt8] = []
        Array(text.utf8).withUnsafeBytes { UUIDCodec.pack($0, into: &out) }
        return out
    }

    @Test(arguments: [DictionaryStringCodec.Values.uuid, .uuid4])
    func uuidDictionariesDecodeAsTheirSixteenBytesWhenAsked(values: DictionaryStringCodec.Values) throws {
        var column = StringColumn()
        for i in [0, 1, 0, 2, 3, 3, 1] { column.append(Self.uuids[i]) }
        let out = dictionaryEncoded(column, values: values).bytes
        for packed in [false, true] {
            var dictionary = StringColumn()
            var codes: [UInt32] = []
            let isPacked = try out.withUnsafeBytes {
                var r = ByteReader($0)
                return try DictionaryStringCodec.decode(
                    &r, values: values, present: column.count, dictionary: &dictionary, codes: &codes, packedUUIDs: packed)
            }
            #expect(isPacked == packed)
            for row in 0..<column.count {
                let value = Array(dictionary.bytes[dictionary.range(of: Int(codes[row]))])
                #expect(value == (packed ? Self.binary(column.string(at: row)!) : Array(column.string(at: row)!.utf8)))
            }
        }
    }

    @Test func logReaderGivesPackedUUIDsOnlyForUUIDChunks() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("clicklog-packed-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let writer = try LogWriter(directory: directory)
        for ids in [Self.uuids + Self.uuids, ["visitor-1", Self.uuids[0], "visitor-1"]] {
            var batch = EventBatch()
            for (i, id) in ids.enumerated() {
                batch.append(Event(event: "page_view", ts: 1_700_000_000_000 + Int64(i), anonymousID: id, userID: i % 2 == 0 ? nil : id, site: "shop"))
            }
            _ = try writer.appendAndCommit(batch)
        }
        try writer.close()
        let reader = try LogReader(directory: directory)
        let blocks = try reader.blocks()
        let uuidBlock = try reader.readStrings(blocks[0], column: .anonymousID, packedUUIDs: true)
        #expect(uuidBlock.uuidsPacked)
        #expect(uuidBlock.dictionary.count == 4)
        for row in 0..<uuidBlock.count {
            #expect(Array(uuidBlock.dictionary.bytes[uuidBlock.dictionary.range(of: Int(uuidBlock.codes[row]))]) == Self.binary(Self.uuids[row % 4]))
        }
        // With nulls, the null entry stays a null after the packed values.
        let users = try reader.readStrings(blocks[0], column: .userID, packedUUIDs: true)
        #expect(users.uuidsPacked)
        #expect(users.string(at: 0) == nil)
        #expect(Array(users.dictionary.bytes[users.dictionary.range(of: Int(users.codes[1]))]) == Self.binary(Self.uuids[1]))
        // Not every value a UUID: text, whatever was asked.
        let mixed = try reader.readStrings(blocks[1], column: .anonymousID, packedUUIDs: true)
        #expect(!mixed.uuidsPacked)
        #expect((0..<mixed.count).map { mixed.string(at: $0) } == ["visitor-1", Self.uuids[0], "visitor-1"])
        // Not asked: text.
        let text = try reader.readStrings(blocks[0], column: .anonymousID)
        #expect(!text.uuidsPacked && text.string(at: 1) == Self.uuids[1])
    }
}
