#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Move-to-front coding of dictionary codes, for values that recur in bursts (a visitor's
/// events, a session's events): each row stores how many *other* distinct values were seen
/// since its value last appeared, so a value seen a moment ago costs rank 0 or 1, one byte as
/// a varint, however large the dictionary (docs/format.md, "Codecs", layout 5).
///
/// Rank r < count means the value r places from the most recent of the `count` values seen so
/// far; r == count means a value not seen before, which takes the next code in order of first
/// appearance (so the dictionary must be stored in that order). Example, codes
/// [0, 1, 0, 0, 2, 1] → ranks [0, 1, 1, 0, 2, 2].
///
/// Encoding costs the sum of the ranks (each lookup and move scans back that far), which is
/// small exactly when this layout is worth choosing; the encoder gives up past a budget.
/// Decoding does not scan a list at all (see `codes`).
struct MoveToFront {
    /// Codes seen so far, least recent first, most recent last.
    private var recent: [UInt32] = []
    /// Decoding: one bit per row, set where the row is its code's latest occurrence so far.
    private var live: [UInt64] = []
    /// Decoding: set bits of `live` per word (64 rows) and per 64 words (4096 rows).
    private var liveInWord: [UInt8] = []
    private var liveInGroup: [UInt16] = []

    /// Computes the ranks of `codes` (first-appearance codes of `distinct` values) into `ranks`;
    /// returns their total varint size, or `nil` when the scanning work would exceed `budget`
    /// or the size would reach `byteLimit` (then another layout is smaller anyway).
    mutating func ranks(
        of codes: [UInt32], distinct: Int, into ranks: inout [UInt32], budget: Int, byteLimit: Int = .max
    ) -> Int? {
        recent.removeAll(keepingCapacity: true)
        recent.reserveCapacity(distinct)
        ranks.removeAll(keepingCapacity: true)
        ranks.reserveCapacity(codes.count)
        var work = 0
        var bytes = 0
        for c in codes {
            let count = recent.count
            var rank = count
            if Int(c) < count {
                // A known value: find it from the most recent end.
                var i = count - 1
                while recent[i] != c { i -= 1 }
                rank = count - 1 - i
                work += rank
                if work > budget { return nil }
                if rank > 0 {
                    recent.withUnsafeMutableBufferPointer { r in
                        _ = memmove(r.baseAddress! + i, r.baseAddress! + i + 1, rank * MemoryLayout<UInt32>.stride)
                        r[count - 1] = c
                    }
                }
            } else {
                recent.append(c)
            }
            ranks.append(UInt32(rank))
            bytes += Varint.size(UInt64(rank))
            if bytes >= byteLimit { return nil }
        }
        return bytes
    }

    /// Reads `count` ranks and turns them back into codes, checking each against what has been
    /// seen and against `distinct`.
    ///
    /// Decoding does not keep the recency list the encoder keeps (finding and moving a value
    /// costs its rank, and visitor ids in a busy block average ranks in the hundreds, which made
    /// this the costliest step of reading `anonymous_id`). Instead the output itself is the
    /// list: row `i`'s code sits at position `i`, and a bitmap marks the positions that are the
    /// latest occurrence of their code. Rank r is then the r-th marked position counting back
    /// from the current row. Marks are counted per 64 rows (one byte) and per 4096 rows, so the
    /// search steps back 64 rows at a time through quiet stretches, 4096 through long ones,
    /// and ends in one word: about (rows since the value last appeared) / 64 byte reads,
    /// bounded by 128 + rows / 4096, instead of r element moves. Counts are kept, not
    /// recomputed, because the baseline x86-64 target has no popcount instruction. Rank 0 (the
    /// previous row's value again, the commonest rank) needs no search at all.
    mutating func codes(_ reader: inout ByteReader, count: Int, distinct: Int, into codes: inout [UInt32]) throws {
        let words = (count + 63) >> 6
        live.removeAll(keepingCapacity: true)
        live.append(contentsOf: repeatElement(0, count: words))
        liveInWord.removeAll(keepingCapacity: true)
        liveInWord.append(contentsOf: repeatElement(0, count: words))
        liveInGroup.removeAll(keepingCapacity: true)
        liveInGroup.append(contentsOf: repeatElement(0, count: (words + 63) >> 6))
        let base = codes.count
        codes.append(contentsOf: repeatElement(0, count: count))
        try codes.withUnsafeMutableBufferPointer { all in
            try live.withUnsafeMutableBufferPointer { live in
                try liveInWord.withUnsafeMutableBufferPointer { inWord in
                    try liveInGroup.withUnsafeMutableBufferPointer { inGroup in
                        let out = all.baseAddress! + base
                        var seen = 0
                        for i in 0..<count {
                            let r = try reader.readVarint()
                            guard r <= UInt64(seen) else { throw StorageError.corrupt("move-to-front rank \(r) with \(seen) values seen") }
                            let rank = Int(r)
                            let code: UInt32
                            if rank == seen {
                                guard seen < distinct else { throw StorageError.corrupt("more new values than the dictionary holds") }
                                code = UInt32(seen)
                                seen += 1
                            } else {
                                // The previous row is always marked (its value's latest occurrence).
                                let p = rank == 0 ? i - 1 : Self.position(ofRank: rank, before: i, live: live, inWord: inWord, inGroup: inGroup)
                                code = out[p]
                                live[p >> 6] &= ~(1 << UInt64(p & 63))
                                inWord[p >> 6] &-= 1
                                inGroup[p >> 12] &-= 1
                            }
                            out[i] = code
                            live[i >> 6] |= 1 << UInt64(i & 63)
                            inWord[i >> 6] &+= 1
                            inGroup[i >> 12] &+= 1
                        }
                    }
                }
            }
        }
    }

    /// The marked position `rank` marks back from `end` (0: the last marked position before
    /// `end`). There are more than `rank` marks before `end`, and none at or after it.
    @inline(__always)
    private static func position(
        ofRank rank: Int, before end: Int, live: UnsafeMutableBufferPointer<UInt64>,
        inWord: UnsafeMutableBufferPointer<UInt8>, inGroup: UnsafeMutableBufferPointer<UInt16>
    ) -> Int {
        var left = rank
        var w = (end - 1) >> 6
        while true {
            if w & 63 == 63 {
                // At the last word of a group of 64: skip the whole group if the rank lies before it.
                let marks = Int(inGroup[w >> 6])
                if left >= marks {
                    left -= marks
                    w -= 64
                    continue
                }
            }
            let marks = Int(inWord[w])
            if left < marks { return w << 6 | bit(live[w], fromTop: left, of: marks) }
            left -= marks
            w -= 1
        }
    }

    /// The index of the `k`-th highest of the `marks` set bits of `word` (k = 0: the highest),
    /// without branches: the broadword select of Vigna's "Broadword implementation of
    /// rank/select queries" (byte counts summed by one multiplication, the byte found by a
    /// SIMD-within-a-register comparison, the bit within it by a table), since a loop over the
    /// bits mispredicts its exit on every call.
    @inline(__always)
    private static func bit(_ word: UInt64, fromTop k: Int, of marks: Int) -> Int {
        let j = UInt64(marks - 1 - k)  // from the bottom
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        var s = word &- ((word >> 1) & 0x5555_5555_5555_5555)
        s = (s & 0x3333_3333_3333_3333) &+ ((s >> 2) & 0x3333_3333_3333_3333)
        s = (s &+ (s >> 4)) & 0x0F0F_0F0F_0F0F_0F0F
        let sums = s &* ones  // byte b: set bits in bytes 0...b
        // Bytes whose running sum is <= j: that many bytes lie wholly below the bit.
        let below = ((((j &* ones) | highs) &- sums) & highs) >> 7
        let byte = (below &* ones) >> 56
        let before = ((sums << 8) >> (byte << 3)) & 0xFF
        let inByte = (word >> (byte << 3)) & 0xFF
        return Int(byte << 3) + Int(selectInByte[Int(inByte << 3 | (j - before))])
    }
}

/// `selectInByte[b << 3 | r]`: the index of the r-th lowest set bit of the byte b (0 where b
/// has no such bit).
private let selectInByte: [UInt8] = (0..<2048).map { i in
    let b = i >> 3
    var r = i & 7
    for bit in 0..<8 where b & (1 << bit) != 0 {
        if r == 0 { return UInt8(bit) }
        r -= 1
    }
    return 0
}
