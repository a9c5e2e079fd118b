import ClicklogEvents
import ClicklogStorage

/// The log as a `ScanSource`: `LogReader`'s catalog prunes blocks by time and site, and each
/// scan thread decodes through its own `BlockDecoder`. Corrupt blocks are skipped (and listed in
/// `problems`), as `LogReader.scan` does.
public struct LogScanSource: ScanSource {
    public let reader: LogReader

    public init(reader: LogReader) { self.reader = reader }

    /// Opens the data directory; a missing directory is a `QueryError` naming `--data`.
    public init(directory: String) throws {
        do {
            reader = try LogReader(directory: directory)
        } catch {
            throw QueryError.data("--data \(directory): \(error)")
        }
    }

    public func blocks(in range: TimeRange, site: String?) throws -> [ScanBlock] {
        try reader.blocks(from: range.from, to: range.to, site: site).map { info in
            ScanBlock(rows: info.rows, minTs: info.minTs, maxTs: info.maxTs, sites: info.sites, handle: info)
        }
    }

    public func makeReader() -> any ScanReader { Reader(reader: reader, decoder: BlockDecoder()) }

    public var problems: [String] { reader.problems.map(\.description) }

    struct Reader: ScanReader {
        let reader: LogReader
        let decoder: BlockDecoder

        func read(_ block: ScanBlock, columns: ColumnSet) throws -> EventBatch {
            try skippingCorrupt { try reader.read(block.handle as! BlockInfo, columns: columns, decoder: decoder) }
        }

        func readStrings(_ block: ScanBlock, column: Column, packedUUIDs: Bool) throws -> DictionaryStrings {
            try skippingCorrupt {
                try reader.readStrings(block.handle as! BlockInfo, column: column, decoder: decoder, packedUUIDs: packedUUIDs)
            }
        }

        private func skippingCorrupt<R>(_ body: () throws -> R) throws -> R {
            do {
                return try body()
            } catch let error as StorageError where error.code == .corrupt {
                throw SkippedBlock(error.description)
            }
        }
    }
}
