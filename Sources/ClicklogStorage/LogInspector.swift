import ClicklogEvents

/// What `clicklog inspect` shows: the shape of the log and what each column costs on disk.
public struct InspectReport: Sendable {
    public struct Segment: Sendable {
        public var sequence: UInt64
        public var file: String
        public var bytes: Int
        public var blocks: Int
        public var rows: Int
        public var sealed: Bool
    }

    /// One stored stream: a column, or one of the four parts of props.
    public struct ColumnUsage: Sendable {
        /// `url`, `ts`, … or `props.counts`, `props.keys`, `props.kinds`, `props.values`.
        public var name: String
        /// Bytes after encoding, before compression.
        public var encodedBytes = 0
        /// Bytes on disk.
        public var storedBytes = 0
        /// How many blocks used each codec (by `CodecID.name`).
        public var codecs: [String: Int] = [:]
    }

    public var segments: [Segment] = []
    public var blocks = 0
    public var rows = 0
    public var minTs: Int64?
    public var maxTs: Int64?
    public var minReceivedAt: Int64?
    public var maxReceivedAt: Int64?
    /// In column order.
    public var columns: [ColumnUsage] = []
    /// Block headers and chunk directories.
    public var overheadBytes = 0
    /// Sum of the segment files' sizes.
    public var fileBytes = 0
    public var problems: [StorageProblem] = []

    /// Bytes on disk per stored event, everything included.
    public var bytesPerEvent: Double { rows == 0 ? 0 : Double(fileBytes) / Double(rows) }
}

/// Reads the catalog and every committed block's directory (not its chunks) to describe the log.
public enum LogInspector {
    public static func inspect(directory: String) throws -> InspectReport {
        let reader = try LogReader(directory: directory)
        let layout = DataLayout(directory: directory)
        var report = InspectReport()
        var usage: [String: InspectReport.ColumnUsage] = [:]
        var order: [String: Int] = [:]
        let blocks = try reader.blocks()
        var perSegment: [UInt64: (blocks: Int, rows: Int)] = [:]
        for block in blocks {
            report.blocks += 1
            report.rows += block.rows
            report.minTs = min(report.minTs ?? .max, block.minTs)
            report.maxTs = max(report.maxTs ?? .min, block.maxTs)
            report.minReceivedAt = min(report.minReceivedAt ?? .max, block.minReceivedAt)
            report.maxReceivedAt = max(report.maxReceivedAt ?? .min, block.maxReceivedAt)
            perSegment[block.segment, default: (0, 0)].blocks += 1
            perSegment[block.segment, default: (0, 0)].rows += block.rows
            let entries: [ChunkEntry]
            do {
                (_, entries) = try reader.layout(of: block)
            } catch let error as StorageError where error.code == .corrupt {
                report.problems.append(StorageProblem(
                    file: layout.segment(block.segment), offset: block.offset, length: block.length, reason: error.summary))
                continue
            }
            report.overheadBytes += Format.blockHeaderSize + entries.count * Format.directoryEntrySize
            for entry in entries {
                let name = streamName(entry)
                order[name] = order[name] ?? Int(entry.column) * 8 + Int(entry.part)
                usage[name, default: InspectReport.ColumnUsage(name: name)].encodedBytes += entry.encodedLength
                usage[name, default: InspectReport.ColumnUsage(name: name)].storedBytes += entry.storedLength
                usage[name, default: InspectReport.ColumnUsage(name: name)]
                    .codecs[CodecID(rawValue: entry.codec)?.name ?? "#\(entry.codec)", default: 0] += 1
            }
        }
        report.columns = usage.values.sorted { order[$0.name]! < order[$1.name]! }
        let sealed: [UInt64: Bool] = fileExists(layout.catalog)
            ? Dictionary(uniqueKeysWithValues: try Catalog(readerPath: layout.catalog).segments().map { ($0.sequence, $0.sealed) })
            : [:]
        for sequence in try layout.segmentSequences() {
            let path = layout.segment(sequence)
            let bytes = try PosixFile(path: path, mode: .readOnly).size()
            report.fileBytes += bytes
            report.segments.append(InspectReport.Segment(
                sequence: sequence, file: path, bytes: bytes, blocks: perSegment[sequence]?.blocks ?? 0,
                rows: perSegment[sequence]?.rows ?? 0, sealed: sealed[sequence] ?? false))
        }
        return report
    }

    static func streamName(_ entry: ChunkEntry) -> String {
        guard let column = Column(rawValue: entry.column) else { return "#\(entry.column).\(entry.part)" }
        guard column == .props else { return column.name }
        switch entry.part {
        case ChunkPart.propCounts: return "props.counts"
        case ChunkPart.propKeys: return "props.keys"
        case ChunkPart.propKinds: return "props.kinds"
        case ChunkPart.propValues: return "props.values"
        default: return "props.\(entry.part)"
        }
    }
}

extension LogReader {
    /// Header and chunk directory of `block`, checked against the header checksum.
    func layout(of block: BlockInfo) throws -> (BlockHeader, [ChunkEntry]) {
        try withBlock(block, decoder: nil) { _, header, entries, _ in (header, entries) }
    }
}
