/// Constants of the on-disk format. Every number here is specified in docs/format.md; change the
/// spec first, then this file, then the golden-bytes tests.
enum Format {
    /// Format version written in segment and block headers (docs/format.md, "Versions").
    static let version: UInt16 = 1

    // MARK: Segment files (docs/format.md, "Segment file")

    /// "CLSG": the first four bytes of every segment file.
    static let segmentMagic: UInt32 = 0x4753_4C43
    /// Segment header: magic, version, flags, sequence, created_at, reserved, crc32c.
    static let segmentHeaderSize = 32
    /// Segment files are named `<sequence, 20 decimal digits>.clseg` inside `segments/`.
    static let segmentExtension = "clseg"
    static let segmentDirectory = "segments"

    // MARK: Blocks (docs/format.md, "Block")

    /// "CLBK": the first four bytes of every block.
    static let blockMagic: UInt32 = 0x4B42_4C43
    /// Fixed block header: magic, version, chunk count, length, rows, four stats, reserved, crc32c.
    static let blockHeaderSize = 56
    /// Offset of the header checksum inside the block header.
    static let blockHeaderCRCOffset = 52
    /// One chunk directory entry: column, part, codec, compression, stored, encoded, crc32c.
    static let directoryEntrySize = 16
    /// Largest block a writer produces or a reader accepts: 1 GiB. A bound on what a corrupt
    /// length field can make a reader allocate; real blocks are a few MiB at most.
    static let maxBlockLength = 1 << 30

    // MARK: Quarantine (docs/format.md, "Quarantine file")

    /// "CLQR": the first four bytes of every quarantine record.
    static let quarantineMagic: UInt32 = 0x5251_4C43
    /// Record header: magic, record length, time, reason length, raw length.
    static let quarantineHeaderSize = 24
    static let quarantineFile = "quarantine.clq"

    // MARK: Data directory (docs/format.md, "Data directory")

    static let lockFile = "LOCK"
    static let catalogFile = "catalog.sqlite"
}

/// Compression of a chunk's encoded bytes (docs/format.md, "Chunk directory").
enum ChunkCompression: UInt8 {
    case none = 0
    case zstd = 1
}

/// The streams a column is stored as. Most columns are one chunk (part 0); props are four.
enum ChunkPart {
    static let main: UInt8 = 0
    /// Props: number of properties per row (unsigned varints).
    static let propCounts: UInt8 = 0
    static let propKeys: UInt8 = 1
    static let propKinds: UInt8 = 2
    static let propValues: UInt8 = 3
}
