/// A bounds-checked cursor over bytes being decoded. Every read throws `StorageError.corrupt`
/// instead of trapping, so damaged input can never crash a reader.
struct ByteReader {
    let bytes: UnsafeRawBufferPointer
    private(set) var position: Int

    init(_ bytes: UnsafeRawBufferPointer, position: Int = 0) {
        self.bytes = bytes
        self.position = position
    }

    var remaining: Int { bytes.count - position }
    var isAtEnd: Bool { position == bytes.count }

    @inline(__always)
    mutating func readByte() throws -> UInt8 {
        guard position < bytes.count else { throw StorageError.corrupt("chunk ends early") }
        defer { position += 1 }
        return bytes[position]
    }

    /// An unsigned LEB128 varint of at most 10 bytes (see `Varint`).
    @inline(__always)
    mutating func readVarint() throws -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard position < bytes.count else { throw StorageError.corrupt("varint runs past the end of the chunk") }
            let b = bytes[position]
            position += 1
            result |= UInt64(b & 0x7F) << shift
            if b & 0x80 == 0 { return result }
            shift += 7
            guard shift < 64 else { throw StorageError.corrupt("varint longer than 10 bytes") }
        }
    }

    /// A varint that must fit in `0...limit`, for lengths and counts.
    @inline(__always)
    mutating func readLength(limit: Int) throws -> Int {
        let v = try readVarint()
        guard v <= UInt64(limit) else { throw StorageError.corrupt("length \(v) exceeds \(limit)") }
        return Int(v)
    }

    /// The next `count` bytes, without copying.
    mutating func readBytes(_ count: Int) throws -> UnsafeRawBufferPointer {
        guard count >= 0, count <= remaining else {
            throw StorageError.corrupt("wanted \(count) bytes, only \(remaining) left in the chunk")
        }
        defer { position += count }
        return UnsafeRawBufferPointer(rebasing: bytes[position..<(position + count)])
    }

    mutating func readUInt16() throws -> UInt16 {
        let b = try readBytes(2)
        return b.loadUnaligned(as: UInt16.self).littleEndian
    }

    mutating func readUInt32() throws -> UInt32 {
        let b = try readBytes(4)
        return b.loadUnaligned(as: UInt32.self).littleEndian
    }

    mutating func readInt64() throws -> Int64 {
        let b = try readBytes(8)
        return b.loadUnaligned(as: Int64.self).littleEndian
    }

    func expectEnd(_ what: @autoclosure () -> String) throws {
        guard isAtEnd else { throw StorageError.corrupt("\(remaining) unexpected bytes after \(what())") }
    }
}
