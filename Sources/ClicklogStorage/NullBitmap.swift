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
        let present = presence.withUnsafeBufferPointer { p in
            var n = 0
            for i in 0..<p.count where p[i] { n += 1 }
            return n
        }
        if present == rows {
            out.append(allPresent)
            return rows
        }
        if present == 0 {
            out.append(allNull)
            return 0
        }
        out.append(bitmap)
        let start = out.count
        out.appendZeros((rows + 7) / 8)
        out.withUnsafeMutableBufferPointer { o in
            presence.withUnsafeBufferPointer { p in
                let bits = o.baseAddress! + start
                var i = 0
                while i < rows {
                    var byte: UInt8 = 0
                    let end = Swift.min(i + 8, rows)
                    for k in i..<end where p[k] { byte |= 1 << UInt8(k - i) }
                    bits[i >> 3] = byte
                    i = end
                }
            }
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
