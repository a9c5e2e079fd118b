import ClicklogEvents
import ClicklogTestSupport
import Testing
@testable import ClicklogStorage

/// The encoder's word-at-a-time shortcuts (presence bits, UUID checks and parsing, string
/// table probes, move-to-front ranks from bit counts) against the plain byte-by-byte or
/// list-based algorithms they replace, on every position and length where a word boundary
/// could make them differ.
struct EncoderWordTricksTests {

    // MARK: Presence

    @Test func presenceBitmapMatchesRowByRowPackingAtEveryLength() {
        var random = SeededRandom(seed: 1)
        for rows in 0..<70 {
            for pattern in 0..<12 {
                // All present, all null, and mixes (one null at the last row, sparse, dense).
                let presence: [Bool] = (0..<rows).map { row in
                    switch pattern {
                    case 0: true
                    case 1: false
                    case 2: row != rows - 1
                    default: random.below(pattern) != 0
                    }
                }
                var reference: [UInt8] = []
                let present = presence.filter { $0 }.count
                if present == rows {
                    reference = [NullBitmap.allPresent]
                } else if present == 0 {
                    reference = [NullBitmap.allNull]
                } else {
                    reference = [NullBitmap.bitmap] + [UInt8](repeating: 0, count: (rows + 7) / 8)
                    for row in 0..<rows where presence[row] { reference[1 + row / 8] |= 1 << UInt8(row % 8) }
                }
                var out: [UInt8] = [0xAA]  // something before, as in a chunk being built
                let counted = NullBitmap.encode(presence, rows: rows, into: &out)
                #expect(counted == present, "rows \(rows) pattern \(pattern)")
                #expect(Array(out.dropFirst()) == reference, "rows \(rows) pattern \(pattern)")
            }
        }
    }

    // MARK: UUIDs

    /// The byte-by-byte rule of `UUIDCodec.kind`: dashes at 8, 13, 18, 23, lowercase hex
    /// elsewhere; version 4 with the RFC variant is kind 2.
    func referenceKind(_ v: [UInt8]) -> Int {
        guard v.count == 36 else { return 0 }
        for (i, c) in v.enumerated() {
            if [8, 13, 18, 23].contains(i) {
                if c != UInt8(ascii: "-") { return 0 }
            } else if !((0x30...0x39).contains(c) || (0x61...0x66).contains(c)) {
                return 0
            }
        }
        return v[14] == UInt8(ascii: "4") && [0x38, 0x39, 0x61, 0x62].contains(v[19]) ? 2 : 1
    }

    @Test func uuidKindMatchesTheByteRuleForEveryByteAtEveryPosition() {
        let canonical = Array("0123abcd-4567-4890-a1b2-c3d4e5f60718".utf8)
        for position in 0..<36 {
            for byte in 0...255 {
                var value = canonical
                value[position] = UInt8(byte)
                let kind = value.withUnsafeBytes { UUIDCodec.kind($0) }
                #expect(kind == referenceKind(value), "byte \(byte) at \(position)")
            }
        }
        for length in [0, 35, 37] {
            let value = Array(canonical.prefix(length)) + [UInt8](repeating: 0x30, count: max(0, length - 36))
            #expect(value.withUnsafeBytes { UUIDCodec.kind($0) } == 0)
        }
    }

    @Test func uuidBytesMatchDigitByDigitParsing() {
        var random = SeededRandom(seed: 2)
        let digits = Array("0123456789abcdef".utf8)
        for _ in 0..<2000 {
            var text: [UInt8] = []
            var expected: [UInt8] = []
            for i in 0..<16 {
                if [4, 6, 8, 10].contains(i) { text.append(UInt8(ascii: "-")) }
                let byte = UInt8(truncatingIfNeeded: random.next())
                text.append(digits[Int(byte >> 4)])
                text.append(digits[Int(byte & 0x0F)])
                expected.append(byte)
            }
            var parsed = [UInt8](repeating: 0, count: 16)
            text.withUnsafeBytes { t in parsed.withUnsafeMutableBufferPointer { UUIDCodec.parse(t, into: $0.baseAddress!) } }
            #expect(parsed == expected, "\(String(decoding: text, as: UTF8.self))")
        }
    }

    // MARK: String table

    @Test func stringTableCodesFollowFirstAppearanceAcrossGrowth() {
        var random = SeededRandom(seed: 3)
        // More distinct values than the first table holds, of every length up to 40 bytes, and
        // nulls in between.
        var column = StringColumn()
        var values: [String?] = []
        for _ in 0..<5000 {
            let n = random.below(1200)
            let value: String? = n == 0 ? nil : String(repeating: "k", count: n % 41) + "\(n / 41)"
            values.append(value)
            column.append(value)
        }
        var table = StringTable()
        table.build(column)
        var firstCode: [String: UInt32] = [:]
        var expected: [UInt32] = []
        for case let value? in values {
            if firstCode[value] == nil { firstCode[value] = UInt32(firstCode.count) }
            expected.append(firstCode[value]!)
        }
        #expect(!table.abandoned)
        #expect(table.codes == expected)
        #expect(table.distinctCount == firstCode.count)
        #expect(table.distinctCount > StringTable.initialSlots, "the table grew")
        for (code, row) in table.firstRows.enumerated() {
            #expect(firstCode[column.string(at: Int(row))!] == UInt32(code))
        }
    }

    @Test func stringTableTellsApartValuesThatDifferInAnyByte() {
        // Same length, one byte different at each position: every word and tail load counts.
        for length in 1...64 {
            var column = StringColumn()
            let base = [UInt8]((0..<length).map { UInt8(0x41 + $0 % 26) })
            column.append(contentsOf: base)
            for position in 0..<length {
                var other = base
                other[position] ^= 0x20
                column.append(contentsOf: other)
            }
            column.append(contentsOf: base)
            var table = StringTable()
            table.build(column)
            #expect(table.distinctCount == length + 1, "length \(length)")
            #expect(table.codes.last == 0, "length \(length)")
        }
    }

    @Test func stringTableStillGivesUpOnAllDistinctValues() {
        var column = StringColumn()
        for i in 0..<3000 { column.append("id-\(i)") }
        var table = StringTable()
        table.build(column, distinctProbe: 1024)
        #expect(table.abandoned)
        #expect(table.distinctCount == 1024)
        table.removeAll()
        #expect(!table.abandoned && table.distinctCount == 0 && table.codes.isEmpty)
    }

    // MARK: Move-to-front

    /// Move-to-front as the format defines it: a list of the codes seen, most recent last.
    func referenceRanks(_ codes: [UInt32], budget: Int, byteLimit: Int) -> (ranks: [UInt32], bytes: Int?) {
        var recent: [UInt32] = []
        var ranks: [UInt32] = []
        var work = 0
        var bytes = 0
        for c in codes {
            var rank = recent.count
            if let i = recent.lastIndex(of: c) {
                rank = recent.count - 1 - i
                work += rank
                if work > budget { return (ranks, nil) }
                recent.remove(at: i)
            }
            recent.append(c)
            ranks.append(UInt32(rank))
            bytes += Varint.size(UInt64(rank))
            if bytes >= byteLimit { return (ranks, nil) }
        }
        return (ranks, bytes)
    }

    @Test func moveToFrontRanksMatchTheListAlgorithm() {
        var random = SeededRandom(seed: 4)
        var mtf = MoveToFront()
        for trial in 0..<300 {
            // Bursty and uniform sequences, short and spanning many 64-row words.
            let rows = 1 + random.below(trial < 150 ? 200 : 3000)
            let distinct = 1 + random.below(trial % 3 == 0 ? 8 : 400)
            var codes: [UInt32] = []
            var seen: [Int: UInt32] = [:]
            var last = 0
            for _ in 0..<rows {
                let value = trial % 2 == 0 && random.below(3) != 0 ? last : random.below(distinct)
                last = value
                if seen[value] == nil { seen[value] = UInt32(seen.count) }
                codes.append(seen[value]!)
            }
            let budget = trial % 5 == 0 ? random.below(rows * 8 + 1) : Int.max
            let byteLimit = trial % 7 == 0 ? random.below(rows * 2 + 1) : Int.max
            let expected = referenceRanks(codes, budget: budget, byteLimit: byteLimit)
            var ranks: [UInt32] = []
            let bytes = mtf.ranks(of: codes, distinct: seen.count, into: &ranks, budget: budget, byteLimit: byteLimit)
            #expect(bytes == expected.bytes, "trial \(trial)")
            if bytes != nil { #expect(ranks == expected.ranks, "trial \(trial)") }
        }
    }
}
