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
/// Decoding moves values in vector steps (see `codes`).
struct MoveToFront {
    /// Codes seen so far, least recent first, most recent last.
    private var recent: [UInt32] = []

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
