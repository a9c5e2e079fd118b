/// Where a block is: enough to read it back with `pread`.
public struct BlockLocation: Sendable, Hashable, CustomStringConvertible {
    /// The segment's sequence number (its file is `SegmentHeader.fileName(segment)`).
    public var segment: UInt64
    /// Byte offset of the block in the segment file.
    public var offset: Int
    public var length: Int

    public init(segment: UInt64, offset: Int, length: Int) {
        self.segment = segment
        self.offset = offset
        self.length = length
    }

    public var description: String { "\(SegmentHeader.fileName(segment))@\(offset)+\(length)" }
}

/// A block as the catalog lists it: location and the stats readers prune with.
public struct BlockInfo: Sendable, Hashable {
    public var location: BlockLocation
    public var summary: BlockSummary

    public init(location: BlockLocation, summary: BlockSummary) {
        self.location = location
        self.summary = summary
    }

    public var segment: UInt64 { location.segment }
    public var offset: Int { location.offset }
    public var length: Int { location.length }
    public var rows: Int { summary.rows }
    public var minTs: Int64 { summary.minTs }
    public var maxTs: Int64 { summary.maxTs }
    public var minReceivedAt: Int64 { summary.minReceivedAt }
    public var maxReceivedAt: Int64 { summary.maxReceivedAt }
    public var sites: [String] { summary.sites }
}

/// Damage found in a file: which file, where, and what is wrong. Readers and recovery report
/// these instead of failing.
public struct StorageProblem: Sendable, Hashable, CustomStringConvertible {
    /// Path of the damaged file.
    public var file: String
    /// Byte offset where the damage starts (a block start, or where a scan lost its footing).
    public var offset: Int
    /// Bytes affected, when known.
    public var length: Int?
    public var reason: String

    public init(file: String, offset: Int, length: Int?, reason: String) {
        self.file = file
        self.offset = offset
        self.length = length
        self.reason = reason
    }

    public var description: String {
        "\(file) at offset \(offset)" + (length.map { " (\($0) bytes)" } ?? "") + ": \(reason)"
    }
}
