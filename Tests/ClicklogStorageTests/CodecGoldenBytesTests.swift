import ClicklogEvents
import Testing
@testable import ClicklogStorage

/// The byte examples in each codec's doc comment and in docs/format.md, pinned: a change that
/// alters the encoding fails here before it reaches a disk.
struct CodecGoldenBytesTests {
    func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format2($0)) }.joined(separator: " ") }
    func format2(_ b: UInt8) -> String { (b < 16 ? "0" : "") + String(b, radix: 16, uppercase: true) }

    @Test func varintAndZigzag() {
        var out: [UInt8] = []
        out.appendVarint(300)
        #expect(out == [0xAC, 0x02])
        #expect(Varint.zigzag(0) == 0)
        #expect(Varint.zigzag(-1) == 1)
        #expect(Varint.zigzag(1) == 2)
        #expect(Varint.zigzag(-2) == 3)
        #expect(Varint.zigzag(.min) == .max)
        #expect(Varint.zigzag(.max) == UInt64.max - 1)
        for v: Int64 in [0, 1, -1, .min, .max, 123_456_789, -987_654_321] {
            #expect(Varint.unzigzag(Varint.zigzag(v)) == v)
        }
        var max: [UInt8] = []
        max.appendVarint(.max)
        #expect(max.count == 10 && Varint.size(.max) == 10)
    }

    @Test func varintCodecGoldenBytes() throws {
        var out: [UInt8] = []
        VarintCodec.encode([0, 3, 130], into: &out)
        #expect(hex(out) == "00 03 82 01")
        var back: [UInt32] = []
        try out.withUnsafeBytes { var r = ByteReader($0); try VarintCodec.decode(&r, count: 3, into: &back) }
        #expect(back == [0, 3, 130])
    }

    @Test func zigzagVarintCodecGoldenBytes() throws {
        var column = Int64Column()
        column.append(12)
        column.appendNull()
        column.append(-3)
        var out: [UInt8] = []
        ZigZagVarintCodec.encode(column, into: &out)
        #expect(hex(out) == "18 05")
        var back: [Int64] = []
        try out.withUnsafeBytes {
            var r = ByteReader($0)
            try ZigZagVarintCodec.decode(&r, presence: column.presence, rows: 3, into: &back)
        }
        #expect(back == [12, 0, -3])
    }

    @Test func deltaZigZagCodecGoldenBytes() throws {
        let values: [Int64] = [1_700_000_000_000, 1_700_000_000_250, 1_700_000_000_245]
        var out: [UInt8] = []
        DeltaZigZagCodec.encode(values, presence: nil, into: &out)
        #expect(hex(out) == "80 A0 AB FE F9 62 F4 03 09")
        var back: [Int64] = []
        try out.withUnsafeBytes { var r = ByteReader($0); try DeltaZigZagCodec.decode(&r, presence: nil, rows: 3, into: &back) }
        #expect(back == values)
    }

    @Test func deltaZigZagWrapsAroundExtremes() throws {
        let values: [Int64] = [.min, .max, .min, 0, -1, .max, .max]
        var out: [UInt8] = []
        DeltaZigZagCodec.encode(values, presence: nil, into: &out)
        var back: [Int64] = []
        try out.withUnsafeBytes { var r = ByteReader($0); try DeltaZigZagCodec.decode(&r, presence: nil, rows: values.count, into: &back) }
        #expect(back == values)
    }

    @Test func byteCodecGoldenBytes() {
        var out: [UInt8] = []
        ByteCodec.encode([PropKind.string.rawValue, PropKind.number.rawValue, PropKind.true.rawValue], into: &out)
        #expect(hex(out) == "00 01 02")
    }

    @Test func nullBitmapGoldenBytes() throws {
        var presence = [Bool](repeating: true, count: 10)
        presence[1] = false
        presence[9] = false
        var out: [UInt8] = []
        #expect(NullBitmap.encode(presence, rows: 10, into: &out) == 8)
        #expect(hex(out) == "02 FD 01")
        var back: [Bool]?
        let present = try out.withUnsafeBytes { var r = ByteReader($0); return try NullBitmap.decode(&r, rows: 10, into: &back) }
        #expect(present == 8 && back == presence)

        out.removeAll()
        NullBitmap.encode(nil, rows: 4, into: &out)
        NullBitmap.encode([false, false], rows: 2, into: &out)
        NullBitmap.encode([true, true], rows: 2, into: &out)
        #expect(out == [0, 1, 0])
    }

    @Test func plainStringCodecGoldenBytes() throws {
        var column = StringColumn()
        column.append("hi")
        column.appendNull()
        column.append("")
        column.append("été")
        var out: [UInt8] = []
        PlainStringCodec.encode(column, into: &out)
        #expect(hex(out) == "02 00 05 68 69 C3 A9 74 C3 A9")
        #expect(PlainStringCodec.estimatedSize(column) == out.count)
        var back = StringColumn()
        try out.withUnsafeBytes { var r = ByteReader($0); try PlainStringCodec.decode(&r, presence: column.presence, rows: 4, into: &back) }
        #expect(back == column)
    }

    func dictionaryRoundTrip(_ column: StringColumn) throws -> (bytes: [UInt8], plan: DictionaryStringCodec.Plan) {
        let (out, table, plan) = dictionaryEncoded(column, values: .plain)
        #expect(DictionaryStringCodec.estimatedSize(table, plan: plan, column: column, values: .plain) == out.count)
        var dictionary = StringColumn()
        var codes: [UInt32] = []
        try out.withUnsafeBytes {
            var r = ByteReader($0)
            try DictionaryStringCodec.decode(&r, values: .plain, present: table.codes.count, dictionary: &dictionary, codes: &codes)
            try r.expectEnd("codes")
        }
        var back = StringColumn()
        DictionaryStringCodec.materialize(dictionary: dictionary, codes: codes, presence: column.presence, rows: column.count, into: &back)
        #expect(back == column)
        return (out, plan)
    }

    @Test func dictionaryStringCodecGoldenBytes() throws {
        var column = StringColumn()
        for s in ["click", "view", "click"] { column.append(s) }
        let (bytes, plan) = try dictionaryRoundTrip(column)
        #expect(plan.width == 1)
        #expect(hex(bytes) == "02 05 04 63 6C 69 63 6B 76 69 65 77 01 00 01 00")
    }

    @Test func skewedDictionaryUsesFrequencyOrderedVarints() throws {
        // 300 distinct values (fixed width would be 2 bytes); "hot" is most frequent, then "warm".
        var column = StringColumn()
        for i in 0..<300 { column.append("v\(i)") }
        for _ in 0..<700 { column.append("v299") }
        for _ in 0..<400 { column.append("v7") }
        let (bytes, plan) = try dictionaryRoundTrip(column)
        #expect(plan.width == 0)
        #expect(plan.order.prefix(3) == [299, 7, 0])
        // d = 300, then lengths; the first value in the dictionary is the most frequent.
        #expect(Array(bytes[0..<5]) == [0xAC, 0x02, 4, 2, 2])
        // After the dictionary: layout byte 0, then varint codes: row 0 ("v0") has rank 2.
        let dictionaryEnd = 2 + 300 + (10 * 2 + 90 * 3 + 200 * 4)
        #expect(bytes[dictionaryEnd] == 0 && bytes[dictionaryEnd + 1] == 2)
        #expect(bytes.last == 1)
    }

    @Test func burstyDictionaryUsesMoveToFrontRanks() throws {
        // Visitors come back a few rows later: ranks stay small whatever the dictionary size.
        var column = StringColumn()
        for i in 0..<2000 { column.append("visitor-\((i / 2) - (i % 4 == 3 ? 1 : 0))") }
        let (bytes, plan) = try dictionaryRoundTrip(column)
        #expect(plan.width == DictionaryStringCodec.moveToFrontLayout)
        // Rows hold visitors 0 0 1 0 2 2 3 2 …: new ones rank as the count seen so far.
        #expect(plan.ranks.prefix(8) == [0, 0, 1, 1, 2, 0, 3, 1])
        // The last rows: visitor 998 again (rank 0), 999 new (rank 999 = E7 07), 998 (rank 1).
        #expect(Array(bytes.suffix(4)) == [0, 0xE7, 0x07, 1])
    }

    @Test func moveToFrontGoldenRanks() throws {
        var mtf = MoveToFront()
        var ranks: [UInt32] = []
        #expect(mtf.ranks(of: [0, 1, 0, 0, 2, 1], distinct: 3, into: &ranks, budget: 100) == 6)
        #expect(ranks == [0, 1, 1, 0, 2, 2])
        var codes: [UInt32] = []
        try [UInt8]([0, 1, 1, 0, 2, 2]).withUnsafeBytes {
            var r = ByteReader($0)
            try mtf.codes(&r, count: 6, distinct: 3, into: &codes)
        }
        #expect(codes == [0, 1, 0, 0, 2, 1])
        // A rank past what was seen, or more new values than the dictionary holds, is corruption.
        for bad: [UInt8] in [[0, 2], [0, 1, 2, 3]] {
            #expect(throws: StorageError.self) {
                try bad.withUnsafeBytes { var r = ByteReader($0); var c: [UInt32] = []; try mtf.codes(&r, count: bad.count, distinct: 3, into: &c) }
            }
        }
        #expect(mtf.ranks(of: [0, 1, 2, 0, 1, 2], distinct: 3, into: &ranks, budget: 3) == nil)
    }

    @Test func fixedWidthCodesRoundTripAtEveryWidth() throws {
        for distinct in [3, 300] {
            var column = StringColumn()
            for i in 0..<(distinct * 2) { column.append("v\((i * 7919) % distinct)") }
            let (bytes, plan) = try dictionaryRoundTrip(column)
            #expect(plan.width == (distinct <= 256 ? 1 : 2) || plan.width == 0 || plan.width == 5, "\(bytes.count)")
        }
    }

    @Test func dictionaryCodesWidenPast256Values() throws {
        // Uniform use of 300 values: two-byte fixed-width codes beat varints and ranks.
        var column = StringColumn()
        for round in 0..<4 { for i in 0..<300 { column.append("v\((i * 37 + round * 101) % 300)") } }
        let (bytes, plan) = try dictionaryRoundTrip(column)
        #expect(plan.width == 2 && bytes.count == 2 + 300 + (10 * 2 + 90 * 3 + 200 * 4) + 1 + 2400)
    }

    @Test func uuid4CodecGoldenBytes() throws {
        var column = StringColumn()
        column.append("0123abcd-4567-4890-a1b2-c3d4e5f60718")
        column.appendNull()
        column.append("ffffffff-ffff-4fff-bfff-ffffffffffff")
        var out: [UInt8] = []
        UUID4Codec.encode(column, into: &out)
        #expect(hex(out) == "01 23 AB CD 45 67 90 B2 C3 D4 E5 F6 07 18 88 "
            + "FF FF FF FF FF FF FF FF FF FF FF FF FF FF FF 0D")
        var back = StringColumn()
        try out.withUnsafeBytes { var r = ByteReader($0); try UUID4Codec.decode(&r, presence: column.presence, rows: 3, into: &back) }
        #expect(back == column)
    }

    @Test func uuid4AcceptsOnlyVersion4WithTheRFCVariant() {
        func v4(_ s: String) -> Bool { Array(s.utf8).withUnsafeBytes { UUID4Codec.isVersion4($0) } }
        #expect(v4("0123abcd-4567-4890-a1b2-c3d4e5f60718"))
        #expect(v4("0123abcd-4567-4890-81b2-c3d4e5f60718"))
        #expect(!v4("0123abcd-4567-1890-a1b2-c3d4e5f60718"))
        #expect(!v4("0123abcd-4567-4890-c1b2-c3d4e5f60718"))
        #expect(!v4("0123abcd-4567-4890-71b2-c3d4e5f60718"))
        #expect(!v4("0123ABCD-4567-4890-a1b2-c3d4e5f60718"))
    }

    @Test func uuidCodecGoldenBytes() throws {
        var column = StringColumn()
        column.append("0123abcd-4567-4890-a1b2-c3d4e5f60718")
        var out: [UInt8] = []
        UUIDCodec.encode(column, into: &out)
        #expect(hex(out) == "01 23 AB CD 45 67 48 90 A1 B2 C3 D4 E5 F6 07 18")
        var back = StringColumn()
        try out.withUnsafeBytes { var r = ByteReader($0); try UUIDCodec.decode(&r, presence: nil, rows: 1, into: &back) }
        #expect(back == column)
    }

    @Test func uuidCodecAcceptsOnlyCanonicalLowercase() {
        func canonical(_ s: String) -> Bool { Array(s.utf8).withUnsafeBytes { UUIDCodec.isCanonical($0) } }
        #expect(canonical("0123abcd-4567-4890-a1b2-c3d4e5f60718"))
        #expect(canonical("00000000-0000-0000-0000-000000000000"))
        #expect(!canonical("0123ABCD-4567-4890-a1b2-c3d4e5f60718"))
        #expect(!canonical("{0123abcd-4567-4890-a1b2-c3d4e5f60718}"))
        #expect(!canonical("0123abcd-4567-4890-a1b2-c3d4e5f6071"))
        #expect(!canonical("0123abcd_4567-4890-a1b2-c3d4e5f60718"))
        #expect(!canonical("0123abcg-4567-4890-a1b2-c3d4e5f60718"))
    }

    @Test func codecIDsAreStable() {
        #expect(CodecID.allCases.map(\.rawValue) == Array(1...10))
        #expect(Format.blockMagic == 0x4B42_4C43)
        #expect(Array("CLBK".utf8) == withUnsafeBytes(of: Format.blockMagic.littleEndian) { Array($0) })
        #expect(Array("CLSG".utf8) == withUnsafeBytes(of: Format.segmentMagic.littleEndian) { Array($0) })
        #expect(Array("CLQR".utf8) == withUnsafeBytes(of: Format.quarantineMagic.littleEndian) { Array($0) })
    }
}

struct ZstdTests {
    @Test(arguments: [16 << 20, 1000, 1])
    func largeChunksDecompressInSteps(singleShotLimit: Int) throws {
        let source = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 / 7) }
        var compressed: [UInt8] = []
        _ = try source.withUnsafeBytes { try ZstdCompressor(level: 3).compress($0, appendingTo: &compressed) }
        let decompressor = ZstdDecompressor(singleShotLimit: singleShotLimit)
        var out: [UInt8] = []
        try compressed.withUnsafeBytes { try decompressor.decompress($0, expected: source.count, into: &out) }
        #expect(out == source)
        for wrong in [source.count - 1, source.count + 1, 1 << 30] {
            #expect(throws: StorageError.self) {
                try compressed.withUnsafeBytes { try decompressor.decompress($0, expected: wrong, into: &out) }
            }
        }
        #expect(throws: StorageError.self) {
            try compressed.dropLast(5).withUnsafeBytes { try decompressor.decompress($0, expected: source.count, into: &out) }
        }
    }
}
