/// The presence section at the start of every chunk: which rows hold a value
/// (docs/format.md, "Presence").
///
///     00                  every row present (also for columns that cannot be null)
///     01                  every row null
///     02 <ceil(n/8) bytes>  bit i (byte i/8, bit i%8, least significant first) set when row i is present
///
/// Example, 10 rows with rows 1 and 9 null: `02 FD 01` (0b1111_1101, 0b0000_0001).
enum NullBitmap {
    static let allPresent: UInt8 = 0
    static let allNull: UInt8 = 1
    static let bitmap: UInt8 = 2

    /// Appends the presence section for `rows` rows; returns how many are present.
    @discardableResult
    static func encode(_ presence: [Bool]?, rows: Int, into out: inout [UInt8]) -> Int {
        guard let presence else {
            out.append(allPresent)
            return rows
        }
        precondition(presence.count >= rows, "presence shorter than the rows")
        // One pass packs the bits into a buffer at the end of `out` and counts them; the
        // all-present and all-null cases then drop it again.
        out.append(bitmap)
        let start = out.count
        out.appendZeros((rows + 7) / 8)
        let present = out.withUnsafeMutableBufferPointer { o in
            presence.withUnsafeBytes { p in pack(p, rows: rows, into: o.baseAddress! + start) }
        }
        if present == rows || present == 0 {
            out.removeLast(out.count - start + 1)
            out.append(present == rows ? allPresent : allNull)
        }
        return present
    }

    /// Writes the bits of `rows` bools (bytes 0 or 1, as `Bool` is stored) to `bits`, eight
    /// rows a byte, least significant first; returns how many are set.
    ///
    /// Eight rows at a time: with the bools loaded as one little-endian word `w` (byte j is
    /// bit j), `w &* 0x0102_0408_1020_4080` moves byte j's bit to bit 56 + j and every other
    /// product below bit 56 without a carry into it, so the top byte is the packed bits.
    static func pack(_ bools: UnsafeRawBufferPointer, rows: Int, into bits: UnsafeMutablePointer<UInt8>) -> Int {
        var present = 0
        var i = 0
        while rows - i >= 8 {
            let w = bools.loadUnaligned(fromByteOffset: i, as: UInt64.self).littleEndian
            let byte = UInt8(truncatingIfNeeded: (w &* 0x0102_0408_1020_4080) >> 56)
            bits[i >> 3] = byte
            present &+= byte.nonzeroBitCount
            i &+= 8
        }
        if i < rows {
            var byte: UInt8 = 0
            for k in i..<rows where bools[k] != 0 { byte |= 1 << UInt8(k - i) }
            bits[i >> 3] = byte
            present &+= byte.nonzeroBitCount
        }
        return present
    }

    /// Reads the presence section; `presence` is `nil` when every row is present, as in
    /// `StringColumn` and `Int64Column`. Returns the number of present rows.
    static func decode(_ reader: inout ByteReader, rows: Int, into presence: inout [Bool]?) throws -> Int {
        switch try reader.readByte() {
        case allPresent:
            presence = nil
            return rows
        case allNull:
            presence = Array(repeating: false, count: rows)
            return 0
        case bitmap:
            let bits = try reader.readBytes((rows + 7) / 8)
            var p = [Bool](repeating: false, count: rows)
            var present = 0
            p.withUnsafeMutableBufferPointer { p in
                for i in 0..<rows where bits[i >> 3] & (1 << UInt8(i & 7)) != 0 {
                    p[i] = true
                    present += 1
                }
            }
            presence = p
            return present
        case let other:
            throw StorageError.corrupt("unknown presence kind \(other)")
        }
    }
}
