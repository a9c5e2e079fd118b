/// Codec 1, `varint`: one unsigned LEB128 varint per value. Used for the number of properties
/// of each row, which is mostly 0–10, so one byte per row before compression.
///
/// Example, counts [0, 3, 130]: `00 03 82 01`.
enum VarintCodec {
    static let id = CodecID.varint

    static func encode(_ values: [UInt32], into out: inout [UInt8]) {
        out.appendWriting(maximum: values.count * 5) { p in
            var n = 0
            for v in values { n += Varint.put(UInt64(v), at: p + n) }
            return n
        }
    }

    /// Reads `count` values, replacing the contents of `values`.
    static func decode(_ reader: inout ByteReader, count: Int, into values: inout [UInt32]) throws {
        values.removeAll(keepingCapacity: true)
        values.reserveCapacity(count)
        for _ in 0..<count {
            let v = try reader.readVarint()
            guard v <= UInt64(UInt32.max) else { throw StorageError.corrupt("count \(v) does not fit 32 bits") }
            values.append(UInt32(v))
        }
    }
}
