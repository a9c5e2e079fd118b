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
/// Cost is the sum of the ranks (each lookup and move scans back that far), which is small
/// exactly when this layout is worth choosing; the encoder gives up past a budget.
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
                let i = recent.withUnsafeBufferPointer { MoveToFront.lastIndex(of: c, in: $0) }
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

    /// The index of the last `c` in `list`, which holds it. Eight entries are compared at a
    /// time: the scan is most of the cost of ranking, and a value a few hundred places back
    /// (a popular page among many) is common in columns whose ranks are tried and rejected.
    @inline(__always)
    static func lastIndex(of c: UInt32, in list: UnsafeBufferPointer<UInt32>) -> Int {
        let base = UnsafeRawPointer(list.baseAddress!)
        let target = SIMD8<UInt32>(repeating: c)
        var end = list.count
        while end >= 8 {
            let lanes = base.loadUnaligned(fromByteOffset: (end - 8) * 4, as: SIMD8<UInt32>.self)
            let equal = lanes .== target
            if any(equal) {
                var k = 7
                while !equal[k] { k -= 1 }
                return end - 8 + k
            }
            end -= 8
        }
        var i = end - 1
        while list[i] != c { i -= 1 }
        return i
    }

    /// Reads `count` ranks and turns them back into codes, checking each against what has been
    /// seen and against `distinct`.
    mutating func codes(_ reader: inout ByteReader, count: Int, distinct: Int, into codes: inout [UInt32]) throws {
        recent.removeAll(keepingCapacity: true)
        for _ in 0..<count {
            let seen = recent.count
            let r = try reader.readVarint()
            guard r <= UInt64(seen) else { throw StorageError.corrupt("move-to-front rank \(r) with \(seen) values seen") }
            let rank = Int(r)
            if rank == seen {
                guard seen < distinct else { throw StorageError.corrupt("more new values than the dictionary holds") }
                recent.append(UInt32(seen))
                codes.append(UInt32(seen))
                continue
            }
            let i = seen - 1 - rank
            let c = recent[i]
            if rank > 0 {
                recent.withUnsafeMutableBufferPointer { r in
                    _ = memmove(r.baseAddress! + i, r.baseAddress! + i + 1, rank * MemoryLayout<UInt32>.stride)
                    r[seen - 1] = c
                }
            }
            codes.append(c)
        }
    }
}
