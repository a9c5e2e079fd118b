import ClicklogEvents

/// Codec 2, `zigzag-varint`: one zigzag varint per present value. For integers without an
/// order to exploit, such as click coordinates (small, often repeated, zstd does the rest).
///
/// Example, x = [12, null, -3] (presence section not shown): `18 05`.
enum ZigZagVarintCodec {
    static let id = CodecID.zigzagVarint

    static func encode(_ column: Int64Column, into out: inout [UInt8]) {
        column.values.withUnsafeBufferPointer { values in
            out.appendWriting(maximum: values.count * 10) { p in
                var n = 0
                if let presence = column.presence {
                    presence.withUnsafeBufferPointer { present in
                        for i in 0..<values.count where present[i] { n += Varint.put(Varint.zigzag(values[i]), at: p + n) }
                    }
                } else {
                    for v in values { n += Varint.put(Varint.zigzag(v), at: p + n) }
                }
                return n
            }
        }
    }

    /// Reads one value per present row; null rows get 0, as `Int64Column.appendNull` stores.
    static func decode(_ reader: inout ByteReader, presence: [Bool]?, rows: Int, into values: inout [Int64]) throws {
        values.removeAll(keepingCapacity: true)
        values.reserveCapacity(rows)
        for i in 0..<rows {
            if let presence, !presence[i] {
                values.append(0)
            } else {
                values.append(Varint.unzigzag(try reader.readVarint()))
            }
        }
    }
}
