/// Codec 4, `bytes`: one byte per value, as is. For prop kinds (`PropKind` raw values), a
/// handful of symbols that zstd's entropy stage packs into a few bits each.
///
/// Example, kinds [string, number, true]: `00 01 02`.
enum ByteCodec {
    static let id = CodecID.bytes

    static func encode(_ values: [UInt8], into out: inout [UInt8]) {
        out.append(contentsOf: values)
    }

    static func decode(_ reader: inout ByteReader, count: Int, into values: inout [UInt8]) throws {
        values.removeAll(keepingCapacity: true)
        values.append(contentsOf: try reader.readBytes(count))
    }
}
