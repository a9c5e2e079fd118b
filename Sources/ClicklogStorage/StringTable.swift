import ClicklogEvents

/// Finds the distinct values of a string column and gives every present row a code, without
/// allocating per row: an open-addressing hash table of `Int32` slots over the column's own
/// bytes, reused from block to block.
///
/// Codes are assigned in order of first appearance, so the same rows always give the same
/// dictionary (the block bytes are deterministic).
struct StringTable {
    /// Slot value 0 is empty, otherwise it is a distinct value's index + 1.
    private var slots: [Int32] = []
    private var hashes: [UInt64] = []
    /// For each distinct value, the row where it first appears.
    private(set) var firstRows: [Int32] = []
    /// One code per present row, in row order; null rows have no code.
    private(set) var codes: [UInt32] = []
    /// Total length of the distinct values.
    private(set) var distinctBytes = 0

    var distinctCount: Int { firstRows.count }

    /// Whether the last `build` stopped early because the first `distinctProbe` present values
    /// were all different (ids, free text): then only `firstRows` of those is filled and the
    /// codes are not, and the caller stores the column without a dictionary.
    private(set) var abandoned = false

    /// Builds the table for `column`, replacing what was there. With `distinctProbe`, gives up
    /// (see `abandoned`) when that many present values in a row were all new: a dictionary
    /// would not pay, and the hashing is the most expensive part of encoding such a column.
    mutating func build(_ column: StringColumn, distinctProbe: Int = .max) {
        abandoned = false
        let rows = column.count
        var size = 16
        while size < rows * 2 { size <<= 1 }
        slots.removeAll(keepingCapacity: true)
        slots.append(contentsOf: [Int32](repeating: 0, count: size))
        hashes.removeAll(keepingCapacity: true)
        firstRows.removeAll(keepingCapacity: true)
        codes.removeAll(keepingCapacity: true)
        codes.reserveCapacity(rows)
        distinctBytes = 0
        let mask = size - 1

        let presence = column.presence
        column.bytes.withUnsafeBytes { bytes in
            column.ends.withUnsafeBufferPointer { ends in
                slots.withUnsafeMutableBufferPointer { slots in
                    for row in 0..<rows {
                        if let presence, !presence[row] { continue }
                        let start = row == 0 ? 0 : Int(ends[row - 1])
                        let value = UnsafeRawBufferPointer(rebasing: bytes[start..<Int(ends[row])])
                        let h = Self.hash(value)
                        var slot = Int(truncatingIfNeeded: h) & mask
                        while true {
                            let s = Int(slots[slot])
                            if s == 0 {
                                if firstRows.count >= distinctProbe && firstRows.count == codes.count {
                                    abandoned = true
                                    return
                                }
                                slots[slot] = Int32(firstRows.count + 1)
                                codes.append(UInt32(firstRows.count))
                                firstRows.append(Int32(row))
                                hashes.append(h)
                                distinctBytes += value.count
                                break
                            }
                            if hashes[s - 1] == h {
                                let other = Int(firstRows[s - 1])
                                let otherStart = other == 0 ? 0 : Int(ends[other - 1])
                                let otherValue = UnsafeRawBufferPointer(rebasing: bytes[otherStart..<Int(ends[other])])
                                if Self.equal(value, otherValue) {
                                    codes.append(UInt32(s - 1))
                                    break
                                }
                            }
                            slot = (slot + 1) & mask
                        }
                    }
                }
            }
        }
    }

    @inline(__always)
    static func equal(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        guard a.count == b.count else { return false }
        if a.count == 0 { return true }
        return memcmp(a.baseAddress!, b.baseAddress!, a.count) == 0
    }

    /// A 64-bit hash of the bytes: 8-byte words mixed by multiply–xorshift, then finalised as in
    /// SplitMix64. Not part of the format; only needs to spread typical strings.
    @inline(__always)
    static func hash(_ p: UnsafeRawBufferPointer) -> UInt64 {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(p.count)
        var i = 0
        let n = p.count
        while n - i >= 8 {
            h = (h ^ p.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0xBF58_476D_1CE4_E5B9
            h ^= h >> 31
            i += 8
        }
        if i < n {
            var w: UInt64 = 0
            var shift: UInt64 = 0
            while i < n {
                w |= UInt64(p[i]) << shift
                shift += 8
                i += 1
            }
            h = (h ^ w) &* 0xBF58_476D_1CE4_E5B9
        }
        h ^= h >> 29
        h = h &* 0x94D0_49BB_1331_11EB
        return h ^ (h >> 32)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
