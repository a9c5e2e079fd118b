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
/// The encoder gives up past a budget on the sum of the ranks (64 per row), which is small
/// exactly when this layout is worth choosing.
///
/// Encoding does not keep the list: a value's rank is the number of distinct values whose
/// latest occurrence lies between its own previous occurrence and this row. `latest` has a bit
/// per row, set while that row is the latest occurrence of its value, so the rank is a count
/// of set bits over the rows since, a word (64 rows) at a time; a row costs a few words
/// however large the rank. (Scanning and shifting the list cost the rank itself per row, and
/// the columns tried and rejected, URLs and titles, have ranks in the hundreds.) Decoding
/// keeps the list and moves values in vector steps (see `codes`).
struct MoveToFront {
    /// Codes seen so far, least recent first, most recent last (decoding).
    private var recent: [UInt32] = []
    /// Bit i set while row i is the latest occurrence of its value (encoding).
    private var latest: [UInt64] = []
    /// The row where each code was seen last (encoding).
    private var lastRow: [Int32] = []

    /// Computes the ranks of `codes` (first-appearance codes of `distinct` values: each new
    /// value's code is the number of values before it) into `ranks`; returns their total varint
    /// size, or `nil` when the sum of the ranks would exceed `budget` or the size would reach
    /// `byteLimit` (then another layout is smaller anyway).
    mutating func ranks(
        of codes: [UInt32], distinct: Int, into ranks: inout [UInt32], budget: Int, byteLimit: Int = .max
    ) -> Int? {
        let words = (codes.count + 63) / 64
        if latest.count >= words {
            latest.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
        } else {
            latest = [UInt64](repeating: 0, count: words)
        }
        lastRow.removeAll(keepingCapacity: true)
        lastRow.reserveCapacity(distinct)
        ranks.removeAll(keepingCapacity: true)
        ranks.reserveCapacity(codes.count)
        var work = 0
        var bytes = 0
        let complete = latest.withUnsafeMutableBufferPointer { latest in
            for (row, c) in codes.enumerated() {
                let seen = lastRow.count
                var rank = seen
                if Int(c) < seen {
                    let previous = Int(lastRow[Int(c)])
                    rank = MoveToFront.bitsSet(in: latest, after: previous, through: row)
                    work += rank
                    if work > budget { return false }
                    latest[previous >> 6] &= ~(1 &<< UInt64(previous & 63))
                    lastRow[Int(c)] = Int32(row)
                } else {
                    lastRow.append(Int32(row))
                }
                latest[row >> 6] |= 1 &<< UInt64(row & 63)
                ranks.append(UInt32(rank))
                bytes += Varint.size(UInt64(rank))
                if bytes >= byteLimit { return false }
            }
            return true
        }
        return complete ? bytes : nil
    }

    /// The number of bits set in `bits` at positions `after + 1 ..< end`, where no bit at or
    /// past `end` is set yet (so the count can run to the end of `end`'s word).
    @inline(__always)
    static func bitsSet(in bits: UnsafeMutableBufferPointer<UInt64>, after: Int, through end: Int) -> Int {
        let first = after >> 6
        let last = end >> 6
        // Bits above `after` in its own word (for bit 63, `2 &<< 63` wraps to 0: none).
        var count = (bits[first] & ~((2 &<< UInt64(after & 63)) &- 1)).nonzeroBitCount
        var k = first + 1
        while k <= last {
            count += bits[k].nonzeroBitCount
            k += 1
        }
        return count
    }

    /// Reads `count` ranks and turns them back into codes, checking each against what has been
    /// seen and against `distinct`.
    ///
    /// The recency list is the encoder's (most recent last), but a value is moved to the end by
    /// shifting the values after it in 64-byte vector steps rather than through `memmove`: the
    /// ranks of visitor ids average about 50 with a median under 10, so most moves are one or
    /// two steps, and a call per row was most of decoding `anonymous_id`. A step may copy past
    /// the list's end, into the spare capacity kept for that; what lies there is never read
    /// before it is written. The encoder gives up on this layout when the ranks sum past 64 a
    /// row, which bounds the work here to about 4 steps a row.
    mutating func codes(_ reader: inout ByteReader, count: Int, distinct: Int, into codes: inout [UInt32]) throws {
        typealias Step = SIMD16<UInt32>
        let stepLength = Step.scalarCount
        recent.removeAll(keepingCapacity: true)
        recent.append(contentsOf: repeatElement(0, count: distinct + stepLength))
        let base = codes.count
        codes.append(contentsOf: repeatElement(0, count: count))
        try codes.withUnsafeMutableBufferPointer { all in
            try recent.withUnsafeMutableBufferPointer { recent in
                let out = all.baseAddress! + base
                let list = UnsafeMutableRawPointer(recent.baseAddress!)
                let stride = MemoryLayout<UInt32>.stride
                var seen = 0
                for i in 0..<count {
                    let r = try reader.readVarint()
                    guard r <= UInt64(seen) else { throw StorageError.corrupt("move-to-front rank \(r) with \(seen) values seen") }
                    let rank = Int(r)
                    let code: UInt32
                    if rank == seen {
                        guard seen < distinct else { throw StorageError.corrupt("more new values than the dictionary holds") }
                        code = UInt32(seen)
                        recent[seen] = code
                        seen &+= 1
                    } else {
                        let at = seen &- 1 &- rank
                        code = recent[at]
                        // recent[at ..< seen - 1] = recent[at + 1 ..< seen], a step at a time, ascending.
                        var p = at
                        while p < seen &- 1 {
                            let step = (list + (p &+ 1) &* stride).loadUnaligned(as: Step.self)
                            (list + p &* stride).storeBytes(of: step, as: Step.self)
                            p &+= stepLength
                        }
                        recent[seen &- 1] = code
                    }
                    out[i] = code
                }
            }
        }
    }
}
