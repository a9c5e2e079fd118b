import ClicklogEvents

/// Finds the distinct values of a string column and gives every present row a code, without
/// allocating per row: an open-addressing hash table over the column's own bytes, reused from
/// block to block.
///
/// Codes are assigned in order of first appearance, so the same rows always give the same
/// dictionary (the block bytes are deterministic).
///
/// The table grows with the number of distinct values (load at most 1/2), not with the rows:
/// a block of 27k rows has 7 event names or 2k visitors, and a table sized for the rows was
/// a quarter of a megabyte of slots per column, touched at random. A slot holds the value's
/// index and the high half of its hash, so a probe compares bytes only when those agree.
struct StringTable {
    /// 0 is empty; otherwise the high 32 bits of the value's hash, then its index + 1.
    private var slots: [UInt64] = []
    /// The full hash of each distinct value, for growing the table.
    private var hashes: [UInt64] = []
    /// Where each distinct value's bytes are in the column, `start << 32 | end`: one load
    /// to compare with instead of its first row and then that row's ends.
    private var ranges: [UInt64] = []
    /// For each distinct value, the row where it first appears.
    private(set) var firstRows: [Int32] = []
    /// One code per present row, in row order; null rows have no code.
    private(set) var codes: [UInt32] = []
    /// Total length of the distinct values.
    private(set) var distinctBytes = 0

    var distinctCount: Int { firstRows.count }

    /// Slots a table starts with: enough for the few values of most columns.
    static let initialSlots = 256

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
        clearSlots(count: Self.initialSlots)
        hashes.removeAll(keepingCapacity: true)
        ranges.removeAll(keepingCapacity: true)
        firstRows.removeAll(keepingCapacity: true)
        distinctBytes = 0
        // One code per row at most, written through a pointer and cut to size at the end: an
        // append per row paid a uniqueness and a capacity check, a few percent of the server.
        codes.removeAll(keepingCapacity: true)
        codes.append(contentsOf: repeatElement(0, count: rows))
        var coded = 0

        let presence = column.presence
        column.bytes.withUnsafeBytes { bytes in
            column.ends.withUnsafeBufferPointer { ends in
                var row = 0
                // The value of the last present row, which has the last code.
                var previous = UnsafeRawBufferPointer(start: nil, count: 0)
                while row < rows {
                    // One pass over the rows until the table has to grow; then grow and go on.
                    row = codes.withUnsafeMutableBufferPointer { codes in
                        slots.withUnsafeMutableBufferPointer { slots in
                            let mask = slots.count - 1
                            let limit = slots.count / 2
                            var row = row
                            while row < rows {
                                if let presence, !presence[row] {
                                    row += 1
                                    continue
                                }
                                let start = row == 0 ? 0 : Int(ends[row - 1])
                                let value = UnsafeRawBufferPointer(rebasing: bytes[start..<Int(ends[row])])
                                // The same value as the last present row (one site throughout, a
                                // visitor's next event): its code again, without hashing or probing.
                                if coded > 0, Self.equal(value, previous) {
                                    codes[coded] = codes[coded - 1]
                                    coded += 1
                                    row += 1
                                    continue
                                }
                                let h = Self.hash(value)
                                let tag = h & 0xFFFF_FFFF_0000_0000
                                var slot = Int(truncatingIfNeeded: h) & mask
                                while true {
                                    let s = slots[slot]
                                    if s == 0 {
                                        if firstRows.count >= distinctProbe && firstRows.count == coded {
                                            abandoned = true
                                            return rows
                                        }
                                        if firstRows.count >= limit { return row }  // grow first
                                        slots[slot] = tag | UInt64(firstRows.count + 1)
                                        codes[coded] = UInt32(firstRows.count)
                                        coded += 1
                                        firstRows.append(Int32(row))
                                        hashes.append(h)
                                        ranges.append(UInt64(start) << 32 | UInt64(ends[row]))
                                        distinctBytes += value.count
                                        previous = value
                                        break
                                    }
                                    if s & 0xFFFF_FFFF_0000_0000 == tag {
                                        let index = Int(truncatingIfNeeded: s & 0xFFFF_FFFF) - 1
                                        let range = ranges[index]
                                        let otherValue = UnsafeRawBufferPointer(
                                            rebasing: bytes[Int(range >> 32)..<Int(range & 0xFFFF_FFFF)])
                                        if Self.equal(value, otherValue) {
                                            codes[coded] = UInt32(index)
                                            coded += 1
                                            previous = value
                                            break
                                        }
                                    }
                                    slot = (slot + 1) & mask
                                }
                                row += 1
                            }
                            return row
                        }
                    }
                    if row < rows && !abandoned { grow() }
                }
            }
        }
        codes.removeLast(rows - coded)
    }

    /// Empties the table, as the table of a column without values.
    mutating func removeAll() {
        abandoned = false
        hashes.removeAll(keepingCapacity: true)
        ranges.removeAll(keepingCapacity: true)
        firstRows.removeAll(keepingCapacity: true)
        codes.removeAll(keepingCapacity: true)
        distinctBytes = 0
    }

    /// Empties the table, keeping `count` slots.
    private mutating func clearSlots(count: Int) {
        if slots.count == count {
            slots.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
        } else {
            slots = [UInt64](repeating: 0, count: count)
        }
    }

    /// Doubles the slots and re-inserts every distinct value from its stored hash.
    private mutating func grow() {
        clearSlots(count: slots.count * 2)
        slots.withUnsafeMutableBufferPointer { slots in
            let mask = slots.count - 1
            for (index, h) in hashes.enumerated() {
                var slot = Int(truncatingIfNeeded: h) & mask
                while slots[slot] != 0 { slot = (slot + 1) & mask }
                slots[slot] = h & 0xFFFF_FFFF_0000_0000 | UInt64(index + 1)
            }
        }
    }

    /// Byte equality; values up to 48 bytes are compared a word at a time instead of calling
    /// `memcmp` (event names, sites, prop keys, and the UUIDs of visitors and sessions, whose
    /// repeats are most of the comparisons a table makes).
    @inline(__always)
    static func equal(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        let n = a.count
        guard n == b.count else { return false }
        if n > 16 {
            // Most unequal values of one length (ids) differ in their first word.
            guard a.loadUnaligned(as: UInt64.self) == b.loadUnaligned(as: UInt64.self) else { return false }
            if n > 48 { return memcmp(a.baseAddress! + 8, b.baseAddress! + 8, n - 8) == 0 }
            var i = 8
            while i + 8 < n {
                guard a.loadUnaligned(fromByteOffset: i, as: UInt64.self) == b.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                else { return false }
                i += 8
            }
            // The last word, overlapping the one before.
            return a.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self) == b.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self)
        }
        if n >= 8 {
            return a.loadUnaligned(as: UInt64.self) == b.loadUnaligned(as: UInt64.self)
                && a.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self) == b.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self)
        }
        return tail(a) == tail(b)
    }

    /// The bytes of a value under 8 bytes long as one word (zero-padded).
    @inline(__always)
    private static func tail(_ p: UnsafeRawBufferPointer) -> UInt64 {
        let n = p.count
        if n >= 4 {
            return UInt64(p.loadUnaligned(as: UInt32.self)) | UInt64(p.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self)) << 32
        }
        if n == 0 { return 0 }
        return UInt64(p[0]) | UInt64(p[n >> 1]) << 8 | UInt64(p[n - 1]) << 16
    }

    /// A 64-bit hash of the bytes, not part of the format: it only needs to spread typical
    /// strings. Words of 8 bytes are mixed by xor and multiply into two independent lanes
    /// (so a 36-byte UUID waits on half as many multiplies in a row; hashing is on the critical
    /// path of every row's probe), the lanes are combined and the result finalised as in
    /// SplitMix64. The last word is the value's last 8 bytes, overlapping the one before
    /// (shorter values: two overlapping 4-byte halves, or three of their bytes), so no byte is
    /// mixed in on its own; the length is in the seed, so values that share words still differ.
    @inline(__always)
    static func hash(_ p: UnsafeRawBufferPointer) -> UInt64 {
        let n = p.count
        var a: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(n)
        if n >= 8 {
            var b: UInt64 = 0xC2B2_AE3D_27D4_EB4F
            var i = 0
            while n - i > 16 {
                a = (a ^ p.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0xBF58_476D_1CE4_E5B9
                b = (b ^ p.loadUnaligned(fromByteOffset: i + 8, as: UInt64.self)) &* 0x94D0_49BB_1331_11EB
                i += 16
            }
            if n - i > 8 {
                b = (b ^ p.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0x94D0_49BB_1331_11EB
            }
            a = (a ^ p.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self)) &* 0xBF58_476D_1CE4_E5B9
            a ^= (b >> 32 | b << 32)
        } else if n > 0 {
            a = (a ^ tail(p)) &* 0xBF58_476D_1CE4_E5B9
        }
        a ^= a >> 29
        a = a &* 0x94D0_49BB_1331_11EB
        return a ^ (a >> 32)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
