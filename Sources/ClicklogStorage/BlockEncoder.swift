import ClicklogEvents

/// How chunks are compressed. zstd level 3 is zstd's own default: about 300 MB/s per core on
/// column data, within a few percent of level 9's size on dictionary codes and varints.
public enum BlockCompression: Sendable, Equatable {
    /// Chunks stored as encoded: for tests and the worked example in docs/format.md.
    case none
    /// zstd at `level` (1...19; negative levels are faster and larger).
    case zstd(level: Int)
}

/// What a block holds, for the catalog and for pruning: rows, time ranges and sites.
public struct BlockSummary: Sendable, Equatable, Hashable {
    public var rows: Int
    public var minTs: Int64
    public var maxTs: Int64
    public var minReceivedAt: Int64
    public var maxReceivedAt: Int64
    /// The distinct `site` values of the block, in order of first appearance.
    public var sites: [String]

    public init(rows: Int, minTs: Int64, maxTs: Int64, minReceivedAt: Int64, maxReceivedAt: Int64, sites: [String]) {
        self.rows = rows
        self.minTs = minTs
        self.maxTs = maxTs
        self.minReceivedAt = minReceivedAt
        self.maxReceivedAt = maxReceivedAt
        self.sites = sites
    }
}

/// Turns an `EventBatch` into the bytes of one block (docs/format.md, "Block").
///
/// Reusable and not thread-safe: it owns the scratch buffers, the dictionary hash table and
/// the zstd context, so encoding a block allocates nothing per event once warmed up. Rows keep
/// their order: queries break ties by arrival order.
public final class BlockEncoder {
    public let compression: BlockCompression
    private let compressor: ZstdCompressor?
    /// One chunk's encoded bytes before compression.
    private var scratch: [UInt8] = []
    private var counts: [UInt32] = []
    private var table = StringTable()
    private var plan = DictionaryStringCodec.Plan()
    private var frequencies: [UInt32] = []
    private var entries: [ChunkEntry] = []
    private var sites: [String] = []

    public init(compression: BlockCompression = .zstd(level: 3)) {
        self.compression = compression
        if case .zstd(let level) = compression {
            compressor = ZstdCompressor(level: Int32(clamping: level))
        } else {
            compressor = nil
        }
    }

    /// Encodes `batch` as one block.
    public func encode(_ batch: EventBatch) throws -> [UInt8] {
        var out: [UInt8] = []
        _ = try encode(batch, into: &out)
        return out
    }

    /// Encodes `batch` as one block, replacing the contents of `out` (whose capacity is kept,
    /// so a caller reusing `out` allocates nothing once it has grown). Throws `.invalidBatch`
    /// for an empty batch or columns whose row counts disagree.
    public func encode(_ batch: EventBatch, into out: inout [UInt8]) throws -> BlockSummary {
        try Self.validate(batch)
        let chunkCount = 22
        out.removeAll(keepingCapacity: true)
        out.appendZeros(Format.blockHeaderSize + chunkCount * Format.directoryEntrySize)
        entries.removeAll(keepingCapacity: true)
        sites.removeAll(keepingCapacity: true)
        let rows = batch.count

        try strings(batch.event, .event, rows: rows, into: &out)
        try ints(batch.ts, .ts, into: &out)
        try strings(batch.anonymousID, .anonymousID, rows: rows, into: &out)
        try strings(batch.id, .id, rows: rows, into: &out)
        try strings(batch.userID, .userID, rows: rows, into: &out)
        try strings(batch.sessionID, .sessionID, rows: rows, into: &out)
        try strings(batch.url, .url, rows: rows, into: &out)
        try strings(batch.referrer, .referrer, rows: rows, into: &out)
        try strings(batch.title, .title, rows: rows, into: &out)
        try strings(batch.selector, .selector, rows: rows, into: &out)
        try strings(batch.text, .text, rows: rows, into: &out)
        try small(batch.x, .x, into: &out)
        try small(batch.y, .y, into: &out)
        try props(batch, into: &out)
        try ints(batch.receivedAt, .receivedAt, into: &out)
        try strings(batch.site, .site, rows: rows, into: &out)
        for row in table.firstRows { sites.append(batch.site.string(at: Int(row)) ?? "") }
        try strings(batch.userAgent, .userAgent, rows: rows, into: &out)
        try strings(batch.ip, .ip, rows: rows, into: &out)
        try ints(batch.sentAt.values, .sentAt, presence: batch.sentAt.presence, into: &out)
        precondition(entries.count == chunkCount)

        guard out.count <= Format.maxBlockLength else {
            throw StorageError.invalidBatch("the block would be \(out.count) bytes, over the 1 GiB limit: split the batch")
        }
        let (minTs, maxTs) = Self.range(batch.ts)
        let (minReceived, maxReceived) = Self.range(batch.receivedAt)
        let header = BlockHeader(
            chunkCount: chunkCount, length: out.count, rows: rows, minTs: minTs, maxTs: maxTs,
            minReceivedAt: minReceived, maxReceivedAt: maxReceived)
        header.write(into: &out)
        for (i, entry) in entries.enumerated() {
            entry.write(into: &out, at: Format.blockHeaderSize + i * Format.directoryEntrySize)
        }
        header.seal(&out)
        return BlockSummary(
            rows: rows, minTs: minTs, maxTs: maxTs, minReceivedAt: minReceived, maxReceivedAt: maxReceived,
            sites: sites)
    }

    // MARK: Columns

    private func strings(_ column: StringColumn, _ id: Column, part: UInt8 = ChunkPart.main, rows: Int, into out: inout [UInt8]) throws {
        scratch.removeAll(keepingCapacity: true)
        let present = NullBitmap.encode(column.presence, rows: rows, into: &scratch)
        guard present > 0 else {
            table.removeAll()
            return try emit(id, part: part, codec: PlainStringCodec.id, into: &out)
        }
        table.build(column, distinctProbe: id == .site ? .max : 1024)
        // Whether every value is a UUID, and a version 4 one. The flags are updated in the loops
        // themselves: captured by a local function, each row's update was a dynamic
        // exclusivity check, 2% of the server's CPU.
        let (uuid, uuid4) = column.bytes.withUnsafeBytes { bytes in
            func kind(_ row: Int) -> Int { UUIDCodec.kind(UnsafeRawBufferPointer(rebasing: bytes[column.range(of: row)])) }
            var uuid = true
            var uuid4 = true
            if table.abandoned {
                for row in 0..<rows where uuid && !column.isNull(row) {
                    let k = kind(row)
                    (uuid, uuid4) = (k != 0, uuid4 && k == 2)
                }
            } else {
                for row in table.firstRows where uuid {
                    let k = kind(Int(row))
                    (uuid, uuid4) = (k != 0, uuid4 && k == 2)
                }
            }
            return (uuid, uuid4)
        }
        if table.abandoned {
            if uuid4 {
                UUID4Codec.encode(column, into: &scratch)
                return try emit(id, part: part, codec: UUID4Codec.id, probeFirst: true, into: &out)
            } else if uuid {
                UUIDCodec.encode(column, into: &scratch)
                return try emit(id, part: part, codec: UUIDCodec.id, into: &out)
            }
            PlainStringCodec.encode(column, into: &scratch)
            return try emit(id, part: part, codec: PlainStringCodec.id, into: &out)
        }
        let values: DictionaryStringCodec.Values = uuid4 ? .uuid4 : uuid ? .uuid : .plain
        DictionaryStringCodec.plan(table, counts: &frequencies, into: &plan)
        let dictionarySize = DictionaryStringCodec.estimatedSize(table, plan: plan, column: column, values: values)
        // Plain text takes its bytes and at least a byte of length per value: a dictionary below
        // that wins without the exact count (a pass over every row).
        let plainSize = uuid4 ? present * UUID4Codec.packedLength + (present + 3) / 4
            : uuid ? present * UUIDCodec.binaryLength
            : dictionarySize < column.bytes.count + present ? Int.max : PlainStringCodec.estimatedSize(column)
        let codec: CodecID
        if dictionarySize < plainSize {
            DictionaryStringCodec.encode(column, table: table, plan: plan, values: values, into: &scratch)
            codec = values.codec
        } else if uuid4 {
            UUID4Codec.encode(column, into: &scratch)
            codec = UUID4Codec.id
        } else if uuid {
            UUIDCodec.encode(column, into: &scratch)
            codec = UUIDCodec.id
        } else {
            PlainStringCodec.encode(column, into: &scratch)
            codec = PlainStringCodec.id
        }
        try emit(id, part: part, codec: codec, probeFirst: codec == UUID4Codec.id, into: &out)
    }

    private func ints(_ values: [Int64], _ id: Column, presence: [Bool]? = nil, into out: inout [UInt8]) throws {
        scratch.removeAll(keepingCapacity: true)
        NullBitmap.encode(presence, rows: values.count, into: &scratch)
        DeltaZigZagCodec.encode(values, presence: presence, into: &scratch)
        try emit(id, codec: DeltaZigZagCodec.id, into: &out)
    }

    private func small(_ column: Int64Column, _ id: Column, into out: inout [UInt8]) throws {
        scratch.removeAll(keepingCapacity: true)
        NullBitmap.encode(column.presence, rows: column.count, into: &scratch)
        ZigZagVarintCodec.encode(column, into: &scratch)
        try emit(id, codec: ZigZagVarintCodec.id, into: &out)
    }

    private func props(_ batch: EventBatch, into out: inout [UInt8]) throws {
        counts.removeAll(keepingCapacity: true)
        var previous: UInt32 = 0
        for end in batch.propEnds {
            counts.append(end &- previous)
            previous = end
        }
        scratch.removeAll(keepingCapacity: true)
        NullBitmap.encode(nil, rows: counts.count, into: &scratch)
        VarintCodec.encode(counts, into: &scratch)
        try emit(.props, part: ChunkPart.propCounts, codec: VarintCodec.id, into: &out)

        let total = batch.propKinds.count
        try strings(batch.propKeys, .props, part: ChunkPart.propKeys, rows: total, into: &out)
        scratch.removeAll(keepingCapacity: true)
        NullBitmap.encode(nil, rows: total, into: &scratch)
        ByteCodec.encode(batch.propKinds, into: &scratch)
        try emit(.props, part: ChunkPart.propKinds, codec: ByteCodec.id, into: &out)
        try strings(batch.propValues, .props, part: ChunkPart.propValues, rows: total, into: &out)
    }

    /// Bytes of a chunk that `probeFirst` compresses on their own before the whole chunk.
    static let probeBytes = 16 << 10

    /// Compresses `scratch` onto the end of `out` and records its directory entry.
    ///
    /// With `probeFirst` (random ids stored without a dictionary: 122 random bits a value, which
    /// zstd cannot shrink, yet they were two fifths of all the bytes it was given), a chunk
    /// over twice `probeBytes` is compressed whole only if its first `probeBytes` shrink;
    /// otherwise it is stored as is, as it would have been after the attempt.
    private func emit(
        _ column: Column, part: UInt8 = ChunkPart.main, codec: CodecID, probeFirst: Bool = false, into out: inout [UInt8]
    ) throws {
        let start = out.count
        var compression = ChunkCompression.none
        if let compressor, scratch.count > 8,
            !probeFirst || scratch.count <= 2 * Self.probeBytes || probeShrinks(compressor, &out) {
            let stored = try scratch.withUnsafeBytes { try compressor.compress($0, appendingTo: &out) }
            if stored < scratch.count {
                compression = .zstd
            } else {
                out.removeLast(stored)
            }
        }
        if compression == .none { out.append(contentsOf: scratch) }
        let crc = out.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[start...])) }
        entries.append(ChunkEntry(
            column: column.rawValue, part: part, codec: codec.rawValue, compression: compression, offset: start,
            storedLength: out.count - start, encodedLength: scratch.count, crc: crc))
    }

    /// Whether zstd shrinks the first `probeBytes` of `scratch` (compressed past the end of
    /// `out`, then dropped). A failure counts as a yes: the whole chunk then reports it.
    private func probeShrinks(_ compressor: ZstdCompressor, _ out: inout [UInt8]) -> Bool {
        let sample = scratch.withUnsafeBytes { bytes in
            try? compressor.compress(UnsafeRawBufferPointer(rebasing: bytes[0..<Self.probeBytes]), appendingTo: &out)
        }
        guard let sample else { return true }
        out.removeLast(sample)
        return sample < Self.probeBytes
    }

    // MARK: Checks

    private static func range(_ values: [Int64]) -> (Int64, Int64) {
        var lo = Int64.max
        var hi = Int64.min
        for v in values {
            lo = min(lo, v)
            hi = max(hi, v)
        }
        return (lo, hi)
    }

    static func validate(_ batch: EventBatch) throws {
        let rows = batch.count
        guard rows > 0 else { throw StorageError.invalidBatch("the batch is empty") }
        guard rows <= Int(UInt32.max) else { throw StorageError.invalidBatch("more than 2^32 rows") }
        func check(_ count: Int, _ name: String, expected: Int = rows) throws {
            guard count == expected else {
                throw StorageError.invalidBatch("column \(name) has \(count) rows, the batch has \(expected)")
            }
        }
        func check(_ column: StringColumn, _ name: String, expected: Int = rows) throws {
            try check(column.count, name, expected: expected)
            if let p = column.presence { try check(p.count, name + " presence", expected: expected) }
            guard Int(column.ends.last ?? 0) == column.bytes.count else {
                throw StorageError.invalidBatch("column \(name) ends at \(column.ends.last ?? 0) but holds \(column.bytes.count) bytes")
            }
        }
        func check(_ column: Int64Column, _ name: String) throws {
            try check(column.count, name)
            if let p = column.presence { try check(p.count, name + " presence") }
        }
        try check(batch.event, "event")
        try check(batch.ts.count, "ts")
        try check(batch.anonymousID, "anonymous_id")
        try check(batch.id, "id")
        try check(batch.userID, "user_id")
        try check(batch.sessionID, "session_id")
        try check(batch.url, "url")
        try check(batch.referrer, "referrer")
        try check(batch.title, "title")
        try check(batch.selector, "selector")
        try check(batch.text, "text")
        try check(batch.x, "x")
        try check(batch.y, "y")
        try check(batch.propEnds.count, "props")
        var previous: UInt32 = 0
        for end in batch.propEnds {
            guard end >= previous else { throw StorageError.invalidBatch("propEnds decreases") }
            previous = end
        }
        let props = Int(previous)
        try check(batch.propKinds.count, "prop kinds", expected: props)
        try check(batch.propKeys, "prop keys", expected: props)
        try check(batch.propValues, "prop values", expected: props)
        try check(batch.receivedAt.count, "received_at")
        try check(batch.site, "site")
        try check(batch.userAgent, "user_agent")
        try check(batch.ip, "ip")
        try check(batch.sentAt, "sent_at")
    }
}
