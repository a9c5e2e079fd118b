import ClicklogEvents

/// A string column as dictionary and codes, for the query engine to group and filter on
/// integers instead of strings.
public struct DictionaryStrings: Sendable, Equatable {
    /// The distinct values of the column in this block, in order of first appearance. When the
    /// column has null rows, the last entry is a null (`dictionary.isNull(code)`).
    public var dictionary: StringColumn
    /// One code per row: an index into `dictionary`.
    public var codes: [UInt32]
    /// Whether the dictionary's values are UUIDs as their 16 bytes rather than text: only when
    /// asked for (`LogReader.readStrings(packedUUIDs:)`) and the chunk stores them so
    /// (`dictionary-uuid`, `dictionary-uuid4`). The null entry, if any, stays empty.
    public var uuidsPacked: Bool

    public init(dictionary: StringColumn, codes: [UInt32], uuidsPacked: Bool = false) {
        self.dictionary = dictionary
        self.codes = codes
        self.uuidsPacked = uuidsPacked
    }

    public var count: Int { codes.count }

    /// The value of `row`, for tests and cold paths.
    public func string(at row: Int) -> String? { dictionary.string(at: Int(codes[row])) }
}

/// Turns block bytes back into an `EventBatch`, decoding only the columns asked for
/// (docs/format.md, "Block").
///
/// Reusable and not thread-safe: each reading thread keeps its own, which owns the zstd
/// context and the scratch buffers. Every chunk it decodes is checked against its CRC32C
/// first; damage throws `StorageError` with code `.corrupt`, never traps.
public final class BlockDecoder {
    private let decompressor = ZstdDecompressor()
    /// The chunk being decoded, after decompression.
    private var encoded: [UInt8] = []
    /// Stored bytes of a chunk, when they come from a file.
    var stored: [UInt8] = []
    private var dictionary = StringColumn()
    private var codes: [UInt32] = []
    private var table = StringTable()

    public init() {}

    /// Decodes the block in `bytes` (exactly one whole block). Columns outside `columns` stay
    /// empty; `count` is always the block's row count.
    public func decode(_ bytes: [UInt8], columns: ColumnSet = .all) throws -> EventBatch {
        try bytes.withUnsafeBytes { try decode($0, columns: columns) }
    }

    public func decode(_ bytes: UnsafeRawBufferPointer, columns: ColumnSet = .all) throws -> EventBatch {
        let (header, entries) = try Self.layout(bytes)
        return try decode(header: header, entries: entries, columns: columns) { entry, stored in
            stored.removeAll(keepingCapacity: true)
            stored.append(contentsOf: bytes[entry.offset..<(entry.offset + entry.storedLength)])
        }
    }

    /// Checks the header and every chunk checksum of the block in `bytes`, without decoding.
    @discardableResult
    public func verify(_ bytes: UnsafeRawBufferPointer) throws -> BlockHeader {
        let (header, entries) = try Self.layout(bytes)
        guard bytes.count == header.length else { throw StorageError.corrupt("block is \(bytes.count) bytes, header says \(header.length)") }
        for entry in entries {
            let chunk = UnsafeRawBufferPointer(rebasing: bytes[entry.offset..<(entry.offset + entry.storedLength)])
            guard CRC32C.checksum(chunk) == entry.crc else {
                throw StorageError.corrupt("checksum mismatch in chunk \(Self.chunkName(entry))")
            }
        }
        return header
    }

    /// Parses and checks header and directory at the start of `bytes` (which must hold the whole block).
    static func layout(_ bytes: UnsafeRawBufferPointer) throws -> (BlockHeader, [ChunkEntry]) {
        let header = try BlockHeader.parse(bytes)
        guard bytes.count >= header.length else { throw StorageError.corrupt("block cut short: \(bytes.count) of \(header.length) bytes") }
        return (header, try header.parseDirectory(bytes))
    }

    /// Decodes the requested columns, fetching each chunk's stored bytes with `read`, which
    /// replaces the contents of its buffer with the chunk `entry`.
    func decode(
        header: BlockHeader, entries: [ChunkEntry], columns: ColumnSet,
        read: (ChunkEntry, inout [UInt8]) throws -> Void
    ) throws -> EventBatch {
        var batch = EventBatch()
        batch.count = header.rows
        for column in columns.columns {
            if column == .props {
                try decodeProps(entries, rows: header.rows, into: &batch, read: read)
                continue
            }
            guard let entry = entries.first(where: { $0.column == column.rawValue && $0.part == ChunkPart.main }) else {
                try Self.fillMissing(column, rows: header.rows, into: &batch)
                continue
            }
            try load(entry, read: read)
            try decodeLoaded(entry, column: column, rows: header.rows, into: &batch)
        }
        return batch
    }

    /// A string column of the block as dictionary and codes (built on the fly when the chunk
    /// is not dictionary-encoded); with `packedUUIDs`, a UUID dictionary as 16-byte values.
    func dictionaryStrings(
        header: BlockHeader, entries: [ChunkEntry], column: Column, packedUUIDs: Bool = false,
        read: (ChunkEntry, inout [UInt8]) throws -> Void
    ) throws -> DictionaryStrings {
        guard !column.isInteger, column != .props else {
            throw StorageError.invalidBatch("column \(column.name) is not a string column")
        }
        let rows = header.rows
        guard let entry = entries.first(where: { $0.column == column.rawValue && $0.part == ChunkPart.main }) else {
            var batch = EventBatch()
            try Self.fillMissing(column, rows: rows, into: &batch)
            var dictionary = StringColumn()
            dictionary.appendNull()
            return DictionaryStrings(dictionary: dictionary, codes: Array(repeating: 0, count: rows))
        }
        try load(entry, read: read)
        var result = DictionaryStrings(dictionary: StringColumn(), codes: [])
        try encoded.withUnsafeBytes { raw in
            var r = ByteReader(raw)
            var presence: [Bool]?
            let present = try NullBitmap.decode(&r, rows: rows, into: &presence)
            if let values = DictionaryStringCodec.Values(entry.codec) {
                result.uuidsPacked = try DictionaryStringCodec.decode(
                    &r, values: values, present: present, dictionary: &result.dictionary, codes: &codes, packedUUIDs: packedUUIDs)
                try r.expectEnd("dictionary codes")
            } else {
                var column = StringColumn()
                try decodeStrings(&r, codec: entry.codec, presence: presence, rows: rows, into: &column)
                table.build(column)
                for row in table.firstRows { result.dictionary.append(contentsOf: column.bytes[column.range(of: Int(row))]) }
                codes = table.codes
            }
            let nullCode = UInt32(result.dictionary.count)
            if present < rows { result.dictionary.appendNull() }
            guard let presence else {
                result.codes = codes
                return
            }
            result.codes = [UInt32](unsafeUninitializedCapacity: rows) { out, count in
                var next = 0
                for row in 0..<rows {
                    if presence[row] {
                        out[row] = codes[next]
                        next += 1
                    } else {
                        out[row] = nullCode
                    }
                }
                count = rows
            }
        }
        return result
    }

    // MARK: Chunks

    /// Fetches, checks and decompresses `entry` into `encoded`.
    private func load(_ entry: ChunkEntry, read: (ChunkEntry, inout [UInt8]) throws -> Void) throws {
        try read(entry, &stored)
        guard stored.count == entry.storedLength else { throw StorageError.corrupt("chunk \(Self.chunkName(entry)) cut short") }
        guard entry.encodedLength <= Format.maxBlockLength else {
            throw StorageError.corrupt("chunk \(Self.chunkName(entry)) claims \(entry.encodedLength) encoded bytes")
        }
        try stored.withUnsafeBytes { s in
            guard CRC32C.checksum(s) == entry.crc else {
                throw StorageError.corrupt("checksum mismatch in chunk \(Self.chunkName(entry))")
            }
            switch entry.compression {
            case .none:
                guard s.count == entry.encodedLength else { throw StorageError.corrupt("uncompressed chunk length mismatch") }
                encoded.removeAll(keepingCapacity: true)
                encoded.append(contentsOf: s)
            case .zstd:
                try decompressor.decompress(s, expected: entry.encodedLength, into: &encoded)
            }
        }
    }

    private func decodeLoaded(_ entry: ChunkEntry, column: Column, rows: Int, into batch: inout EventBatch) throws {
        try encoded.withUnsafeBytes { raw in
            var r = ByteReader(raw)
            var presence: [Bool]?
            _ = try NullBitmap.decode(&r, rows: rows, into: &presence)
            switch column {
            case .ts, .receivedAt:
                guard presence == nil else { throw StorageError.corrupt("\(column.name) has null rows") }
                try Self.expect(entry, .deltaZigZag)
                if column == .ts {
                    try DeltaZigZagCodec.decode(&r, presence: nil, rows: rows, into: &batch.ts)
                } else {
                    try DeltaZigZagCodec.decode(&r, presence: nil, rows: rows, into: &batch.receivedAt)
                }
            case .x, .y, .sentAt:
                var values = Int64Column()
                switch CodecID(rawValue: entry.codec) {
                case .zigzagVarint?: try ZigZagVarintCodec.decode(&r, presence: presence, rows: rows, into: &values.values)
                case .deltaZigZag?: try DeltaZigZagCodec.decode(&r, presence: presence, rows: rows, into: &values.values)
                default: throw StorageError.corrupt("codec \(entry.codec) cannot hold \(column.name)")
                }
                values.presence = presence
                switch column {
                case .x: batch.x = values
                case .y: batch.y = values
                default: batch.sentAt = values
                }
            default:
                try decodeStrings(&r, codec: entry.codec, presence: presence, rows: rows, into: &batch[strings: column])
            }
            try r.expectEnd("column \(column.name)")
        }
    }

    private func decodeStrings(_ r: inout ByteReader, codec: UInt8, presence: [Bool]?, rows: Int, into column: inout StringColumn) throws {
        let present = presence.map { $0.reduce(0) { $0 + ($1 ? 1 : 0) } } ?? rows
        switch CodecID(rawValue: codec) {
        case .plainString?:
            try PlainStringCodec.decode(&r, presence: presence, rows: rows, into: &column)
        case .uuid?:
            try UUIDCodec.decode(&r, presence: presence, rows: rows, into: &column)
        case .uuid4?:
            try UUID4Codec.decode(&r, presence: presence, rows: rows, into: &column)
        case .dictionaryString?, .dictionaryUUID?, .dictionaryUUID4?:
            try DictionaryStringCodec.decode(
                &r, values: DictionaryStringCodec.Values(codec)!, present: present,
                dictionary: &dictionary, codes: &codes)
            DictionaryStringCodec.materialize(dictionary: dictionary, codes: codes, presence: presence, rows: rows, into: &column)
        default:
            throw StorageError.corrupt("codec \(codec) cannot hold strings")
        }
    }

    private func decodeProps(
        _ entries: [ChunkEntry], rows: Int, into batch: inout EventBatch,
        read: (ChunkEntry, inout [UInt8]) throws -> Void
    ) throws {
        func entry(_ part: UInt8) throws -> ChunkEntry? {
            entries.first { $0.column == Column.props.rawValue && $0.part == part }
        }
        guard let countsEntry = try entry(ChunkPart.propCounts) else {
            batch.propEnds = Array(repeating: 0, count: rows)
            return
        }
        try load(countsEntry, read: read)
        try Self.expect(countsEntry, .varint)
        var total = 0
        try encoded.withUnsafeBytes { raw in
            var r = ByteReader(raw)
            var presence: [Bool]?
            _ = try NullBitmap.decode(&r, rows: rows, into: &presence)
            try VarintCodec.decode(&r, count: rows, into: &batch.propEnds)
            try r.expectEnd("prop counts")
        }
        for i in 0..<rows {
            total += Int(batch.propEnds[i])
            guard total <= Int(UInt32.max) else { throw StorageError.corrupt("too many props") }
            batch.propEnds[i] = UInt32(total)
        }
        for part in [ChunkPart.propKeys, ChunkPart.propKinds, ChunkPart.propValues] {
            guard let e = try entry(part) else { throw StorageError.corrupt("props chunk \(part) missing") }
            try load(e, read: read)
            try encoded.withUnsafeBytes { raw in
                var r = ByteReader(raw)
                var presence: [Bool]?
                _ = try NullBitmap.decode(&r, rows: total, into: &presence)
                switch part {
                case ChunkPart.propKinds:
                    try Self.expect(e, .bytes)
                    try ByteCodec.decode(&r, count: total, into: &batch.propKinds)
                case ChunkPart.propKeys:
                    try decodeStrings(&r, codec: e.codec, presence: presence, rows: total, into: &batch.propKeys)
                default:
                    try decodeStrings(&r, codec: e.codec, presence: presence, rows: total, into: &batch.propValues)
                }
                try r.expectEnd("props chunk \(part)")
            }
        }
    }

    private static func fillMissing(_ column: Column, rows: Int, into batch: inout EventBatch) throws {
        switch column {
        case .event, .ts, .anonymousID, .receivedAt, .site:
            throw StorageError.corrupt("required column \(column.name) has no chunk")
        case .x, .y, .sentAt:
            var values = Int64Column()
            for _ in 0..<rows { values.appendNull() }
            switch column {
            case .x: batch.x = values
            case .y: batch.y = values
            default: batch.sentAt = values
            }
        case .props:
            batch.propEnds = Array(repeating: 0, count: rows)
        default:
            for _ in 0..<rows { batch[strings: column].appendNull() }
        }
    }

    private static func expect(_ entry: ChunkEntry, _ codec: CodecID) throws {
        guard entry.codec == codec.rawValue else {
            throw StorageError.corrupt("chunk \(chunkName(entry)) has codec \(entry.codec), expected \(codec.name)")
        }
    }

    static func chunkName(_ entry: ChunkEntry) -> String {
        let name = Column(rawValue: entry.column)?.name ?? "#\(entry.column)"
        return entry.column == Column.props.rawValue ? "\(name)/\(entry.part)" : name
    }
}
