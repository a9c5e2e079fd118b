/// The fixed 56-byte header of a block and its chunk directory (docs/format.md, "Block").
///
///     0  u32 magic "CLBK"     4  u16 version     6  u16 chunk count
///     8  u32 block length    12  u32 rows
///    16  i64 min ts          24  i64 max ts      32  i64 min received_at   40  i64 max received_at
///    48  u32 reserved (0)    52  u32 crc32c of bytes 0..<52 followed by the directory
///
/// All integers little-endian. The directory follows: `chunk count` entries of 16 bytes
/// (`ChunkEntry`), then the chunks back to back in directory order.
public struct BlockHeader: Sendable, Equatable {
    public var chunkCount: Int
    /// Bytes of the whole block: header, directory and chunks.
    public var length: Int
    public var rows: Int
    public var minTs: Int64
    public var maxTs: Int64
    public var minReceivedAt: Int64
    public var maxReceivedAt: Int64

    /// Bytes of header and directory together: where the first chunk starts.
    public var prefixLength: Int { Format.blockHeaderSize + chunkCount * Format.directoryEntrySize }

    /// Parses the fixed header from the first 56 bytes of `bytes`, checking magic and version
    /// (not the checksum, which also covers the directory: see `parseDirectory`).
    static func parse(_ bytes: UnsafeRawBufferPointer) throws -> BlockHeader {
        guard bytes.count >= Format.blockHeaderSize else { throw StorageError.corrupt("block header cut short") }
        var r = ByteReader(bytes)
        guard try r.readUInt32() == Format.blockMagic else { throw StorageError.corrupt("no block magic") }
        let version = try r.readUInt16()
        guard version == Format.version else { throw StorageError.corrupt("unknown block format version \(version)") }
        let chunkCount = Int(try r.readUInt16())
        let length = Int(try r.readUInt32())
        let rows = Int(try r.readUInt32())
        let header = BlockHeader(
            chunkCount: chunkCount, length: length, rows: rows,
            minTs: try r.readInt64(), maxTs: try r.readInt64(),
            minReceivedAt: try r.readInt64(), maxReceivedAt: try r.readInt64())
        guard length >= header.prefixLength, length <= Format.maxBlockLength else {
            throw StorageError.corrupt("block length \(length) is impossible")
        }
        return header
    }

    /// Checks the header checksum over header and directory in `prefix` (at least
    /// `prefixLength` bytes) and parses the directory; verifies that the chunks exactly fill the block.
    func parseDirectory(_ prefix: UnsafeRawBufferPointer) throws -> [ChunkEntry] {
        guard prefix.count >= prefixLength else { throw StorageError.corrupt("block directory cut short") }
        let stored = prefix.loadUnaligned(fromByteOffset: Format.blockHeaderCRCOffset, as: UInt32.self).littleEndian
        guard stored == Self.checksum(prefix, chunkCount: chunkCount) else {
            throw StorageError.corrupt("block header checksum mismatch")
        }
        var entries: [ChunkEntry] = []
        entries.reserveCapacity(chunkCount)
        var offset = prefixLength
        var r = ByteReader(prefix, position: Format.blockHeaderSize)
        for _ in 0..<chunkCount {
            let column = try r.readByte()
            let part = try r.readByte()
            let codec = try r.readByte()
            let compression = try r.readByte()
            let storedLength = Int(try r.readUInt32())
            let encodedLength = Int(try r.readUInt32())
            let crc = try r.readUInt32()
            guard let compression = ChunkCompression(rawValue: compression) else {
                throw StorageError.corrupt("unknown chunk compression \(compression)")
            }
            entries.append(ChunkEntry(
                column: column, part: part, codec: codec, compression: compression, offset: offset,
                storedLength: storedLength, encodedLength: encodedLength, crc: crc))
            offset += storedLength
        }
        guard offset == length else { throw StorageError.corrupt("chunks fill \(offset) bytes of a \(length)-byte block") }
        return entries
    }

    /// Writes the fixed header into `out[0..<56]`, leaving the checksum to `seal`.
    func write(into out: inout [UInt8]) {
        out.storeLittleEndian(Format.blockMagic, at: 0)
        out.storeLittleEndian(Format.version, at: 4)
        out.storeLittleEndian(UInt16(chunkCount), at: 6)
        out.storeLittleEndian(UInt32(length), at: 8)
        out.storeLittleEndian(UInt32(rows), at: 12)
        out.storeLittleEndian(minTs, at: 16)
        out.storeLittleEndian(maxTs, at: 24)
        out.storeLittleEndian(minReceivedAt, at: 32)
        out.storeLittleEndian(maxReceivedAt, at: 40)
        out.storeLittleEndian(UInt32(0), at: 48)
    }

    /// Stores the header checksum once header and directory are in place.
    func seal(_ out: inout [UInt8]) {
        let crc = out.withUnsafeBytes { Self.checksum($0, chunkCount: chunkCount) }
        out.storeLittleEndian(crc, at: Format.blockHeaderCRCOffset)
    }

    static func checksum(_ prefix: UnsafeRawBufferPointer, chunkCount: Int) -> UInt32 {
        let head = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: prefix[0..<Format.blockHeaderCRCOffset]))
        let dirEnd = Format.blockHeaderSize + chunkCount * Format.directoryEntrySize
        return CRC32C.update(head, UnsafeRawBufferPointer(rebasing: prefix[Format.blockHeaderSize..<dirEnd]))
    }
}

/// One chunk directory entry (16 bytes on disk: column, part, codec, compression, stored
/// length u32, encoded length u32, crc32c u32 of the stored bytes).
public struct ChunkEntry: Sendable, Equatable {
    /// `Column.rawValue`; readers ignore columns they do not know.
    public var column: UInt8
    public var part: UInt8
    /// `CodecID.rawValue`.
    public var codec: UInt8
    var compression: ChunkCompression
    /// Where the chunk starts, from the start of the block.
    public var offset: Int
    /// Bytes on disk (after compression).
    public var storedLength: Int
    /// Bytes of the encoded chunk before compression.
    public var encodedLength: Int
    public var crc: UInt32

    public var isCompressed: Bool { compression == .zstd }

    func write(into out: inout [UInt8], at position: Int) {
        out[position] = column
        out[position + 1] = part
        out[position + 2] = codec
        out[position + 3] = compression.rawValue
        out.storeLittleEndian(UInt32(storedLength), at: position + 4)
        out.storeLittleEndian(UInt32(encodedLength), at: position + 8)
        out.storeLittleEndian(crc, at: position + 12)
    }
}
