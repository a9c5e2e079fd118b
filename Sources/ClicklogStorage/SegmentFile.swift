/// Naming and header of segment files (docs/format.md, "Segment file").
///
///     0  u32 magic "CLSG"   4  u16 version   6  u16 flags (0)
///     8  u64 sequence      16  i64 created_at (epoch µs)
///    24  u32 reserved (0)  28  u32 crc32c of bytes 0..<28
///
/// Blocks follow back to back from offset 32. A segment is sealed when the writer moves on to
/// the next sequence number; only the segment with the highest number is ever appended to.
public struct SegmentHeader: Sendable, Equatable {
    public var sequence: UInt64
    /// When the segment was created, epoch microseconds: the start of its age limit.
    public var createdAt: Int64

    public static let size = Format.segmentHeaderSize

    func bytes() -> [UInt8] {
        var out = [UInt8](repeating: 0, count: Self.size)
        out.storeLittleEndian(Format.segmentMagic, at: 0)
        out.storeLittleEndian(Format.version, at: 4)
        out.storeLittleEndian(UInt16(0), at: 6)
        out.storeLittleEndian(sequence, at: 8)
        out.storeLittleEndian(createdAt, at: 16)
        out.storeLittleEndian(UInt32(0), at: 24)
        let crc = out.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[0..<28])) }
        out.storeLittleEndian(crc, at: 28)
        return out
    }

    static func parse(_ bytes: UnsafeRawBufferPointer) throws -> SegmentHeader {
        guard bytes.count >= size else { throw StorageError.corrupt("segment header cut short (\(bytes.count) bytes)") }
        var r = ByteReader(bytes)
        guard try r.readUInt32() == Format.segmentMagic else { throw StorageError.corrupt("no segment magic") }
        let version = try r.readUInt16()
        guard version == Format.version else { throw StorageError.corrupt("unknown segment format version \(version)") }
        _ = try r.readUInt16()
        let sequence = UInt64(bitPattern: try r.readInt64())
        let createdAt = try r.readInt64()
        _ = try r.readUInt32()
        let crc = try r.readUInt32()
        guard crc == CRC32C.checksum(UnsafeRawBufferPointer(rebasing: bytes[0..<28])) else {
            throw StorageError.corrupt("segment header checksum mismatch")
        }
        return SegmentHeader(sequence: sequence, createdAt: createdAt)
    }

    /// `00000000000000000042.clseg`: twenty digits, so names sort like their numbers.
    public static func fileName(_ sequence: UInt64) -> String {
        let digits = String(sequence)
        return String(repeating: "0", count: max(0, 20 - digits.count)) + digits + "." + Format.segmentExtension
    }

    /// The sequence number in a segment file name, or `nil` for any other file.
    public static func sequence(fromFileName name: String) -> UInt64? {
        let suffix = "." + Format.segmentExtension
        guard name.hasSuffix(suffix), name.utf8.count == 20 + suffix.utf8.count else { return nil }
        return UInt64(name.dropLast(suffix.count))
    }
}

/// Where a data directory keeps its files (docs/format.md, "Data directory").
struct DataLayout: Sendable {
    let directory: String

    var segments: String { joinPath(directory, Format.segmentDirectory) }
    var catalog: String { joinPath(directory, Format.catalogFile) }
    var lock: String { joinPath(directory, Format.lockFile) }
    var quarantine: String { joinPath(directory, Format.quarantineFile) }

    func segment(_ sequence: UInt64) -> String { joinPath(segments, SegmentHeader.fileName(sequence)) }

    /// Sequence numbers of the segment files present, ascending.
    func segmentSequences() throws -> [UInt64] {
        guard isDirectory(segments) else { return [] }
        return try listDirectory(segments).compactMap(SegmentHeader.sequence(fromFileName:)).sorted()
    }
}
