import ClicklogEvents

/// Codec 9, `uuid4`: canonical lowercase version-4 UUID strings (RFC 9562: version nibble 4,
/// variant bits 10) in the 122 bits that are not fixed: 15.25 bytes per value instead of 16.
/// Random ids are incompressible, so those 6 bits per value are a saving nothing else finds.
///
/// With b0…b15 the UUID's bytes, each value is 15 bytes
///
///     b0 b1 b2 b3 b4 b5 b7 b9 b10 b11 b12 b13 b14 b15 ((b6 & 0x0F) << 4 | (b8 >> 2) & 0x0F)
///
/// and after all m values come ceil(m/4) bytes holding each value's `b8 & 0x03`, two bits per
/// value, value i in bits 2·(i mod 4) of byte i/4. Decoding restores `b6 = 0x40 | p14 >> 4` and
/// `b8 = 0x80 | (p14 & 0x0F) << 2 | rest`.
///
/// Example, ["0123abcd-4567-4890-a1b2-c3d4e5f60718"]:
/// `01 23 AB CD 45 67 90 B2 C3 D4 E5 F6 07 18 88  01`.
enum UUID4Codec {
    static let id = CodecID.uuid4
    static let packedLength = 15

    /// Whether `value` is a canonical lowercase UUID string of version 4 and the RFC variant.
    @inline(__always)
    static func isVersion4(_ value: UnsafeRawBufferPointer) -> Bool { UUIDCodec.kind(value) == 2 }

    /// Appends the packed form of `count` values, given one at a time by `value(i)`.
    static func pack(count: Int, into out: inout [UInt8], value: (Int) -> UnsafeRawBufferPointer) {
        let rests = (count + 3) / 4
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: UUIDCodec.binaryLength) { full in
            let b = full.baseAddress!
            out.appendWriting(maximum: count * packedLength + rests) { p in
                for i in 0..<count { p[count * packedLength + i >> 2] = 0 }
                for i in 0..<count {
                    UUIDCodec.parse(value(i), into: b)
                    let q = p + i * packedLength
                    for k in 0..<6 { q[k] = b[k] }
                    q[6] = b[7]
                    for k in 0..<7 { q[7 + k] = b[9 + k] }
                    q[14] = (b[6] & 0x0F) << 4 | (b[8] >> 2) & 0x0F
                    p[count * packedLength + i >> 2] |= (b[8] & 0x03) << (2 * UInt8(i & 3))
                }
                return count * packedLength + rests
            }
        }
    }

    /// Reads `count` packed values, writing each one's 36-character text at `out + 36·i`.
    static func unpack(_ reader: inout ByteReader, count: Int, into out: UnsafeMutablePointer<UInt8>) throws {
        let packed = try reader.readBytes(count * packedLength)
        let rests = try reader.readBytes((count + 3) / 4)
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: UUIDCodec.binaryLength) { full in
            let b = full.baseAddress!
            for i in 0..<count {
                restore(i, packed: packed, rests: rests, into: b)
                UUIDCodec.format(b, into: out + i * UUIDCodec.textLength)
            }
        }
    }

    /// Writes the 16 bytes of packed value `i` at `b`.
    @inline(__always)
    private static func restore(_ i: Int, packed: UnsafeRawBufferPointer, rests: UnsafeRawBufferPointer, into b: UnsafeMutablePointer<UInt8>) {
        let p = i * packedLength
        for k in 0..<6 { b[k] = packed[p + k] }
        b[7] = packed[p + 6]
        for k in 0..<7 { b[9 + k] = packed[p + 7 + k] }
        let mixed = packed[p + 14]
        b[6] = 0x40 | mixed >> 4
        b[8] = 0x80 | (mixed & 0x0F) << 2 | (rests[i >> 2] >> (2 * UInt8(i & 3))) & 0x03
    }

    /// Reads `count` packed values, writing each one's 16 bytes at `out + 16·i`.
    static func unpackBinary(_ reader: inout ByteReader, count: Int, into out: UnsafeMutablePointer<UInt8>) throws {
        let packed = try reader.readBytes(count * packedLength)
        let rests = try reader.readBytes((count + 3) / 4)
        for i in 0..<count { restore(i, packed: packed, rests: rests, into: out + i * UUIDCodec.binaryLength) }
    }

    /// Appends the 16 bytes of each of `count` packed values to `bytes`.
    static func unpackBinary(_ reader: inout ByteReader, count: Int, appendingTo bytes: inout [UInt8]) throws {
        guard count * packedLength <= reader.remaining else { throw StorageError.corrupt("uuid4 values exceed the chunk") }
        try bytes.appendWriting(maximum: count * UUIDCodec.binaryLength) { p in
            try unpackBinary(&reader, count: count, into: p)
            return count * UUIDCodec.binaryLength
        }
    }

    /// Appends the text of `count` packed values to `bytes`.
    static func unpack(_ reader: inout ByteReader, count: Int, appendingTo bytes: inout [UInt8]) throws {
        guard count * packedLength <= reader.remaining else { throw StorageError.corrupt("uuid4 values exceed the chunk") }
        try bytes.appendWriting(maximum: count * UUIDCodec.textLength) { p in
            try unpack(&reader, count: count, into: p)
            return count * UUIDCodec.textLength
        }
    }

    static func encode(_ column: StringColumn, into out: inout [UInt8]) {
        var rows: [Int] = []
        rows.reserveCapacity(column.count)
        for row in 0..<column.count where !column.isNull(row) { rows.append(row) }
        column.bytes.withUnsafeBytes { bytes in
            pack(count: rows.count, into: &out) { UnsafeRawBufferPointer(rebasing: bytes[column.range(of: rows[$0])]) }
        }
    }

    static func decode(_ reader: inout ByteReader, presence: [Bool]?, rows: Int, into column: inout StringColumn) throws {
        column.removeAll(keepingCapacity: true)
        let present = presence.map { $0.reduce(0) { $0 + ($1 ? 1 : 0) } } ?? rows
        try unpack(&reader, count: present, appendingTo: &column.bytes)
        column.ends.reserveCapacity(rows)
        var next: UInt32 = 0
        for row in 0..<rows {
            if presence == nil || presence![row] { next += UInt32(UUIDCodec.textLength) }
            column.ends.append(next)
        }
        column.presence = presence
    }
}
