/// The SQLite index of segments and blocks (docs/format.md, "Catalog"): which blocks exist,
/// where, and their stats, so readers find and prune blocks without opening every segment.
///
/// The log is the source of truth; the catalog is derived and can be rebuilt from the segment
/// files alone. Hence `synchronous = NORMAL` under WAL: a power loss may lose the catalog's
/// last transactions, which recovery re-adds by scanning past what the catalog knows. Readers
/// in other processes see a block once the writer's transaction commits, which happens only
/// after the block's fsync.
final class Catalog {
    let database: SQLiteDatabase
    private var schemaChecked = false

    static let schemaVersion: Int64 = 1

    /// Opens the writer's connection, creating file and schema when missing.
    init(writerPath path: String) throws {
        database = try SQLiteDatabase(path: path, create: true)
        try database.execute("PRAGMA journal_mode = WAL")
        try database.execute("PRAGMA synchronous = NORMAL")
        try database.execute("""
            CREATE TABLE IF NOT EXISTS segments (
                sequence INTEGER PRIMARY KEY,
                file TEXT NOT NULL,
                created_at INTEGER NOT NULL,
                sealed INTEGER NOT NULL DEFAULT 0
            );
            CREATE TABLE IF NOT EXISTS blocks (
                id INTEGER PRIMARY KEY,
                segment INTEGER NOT NULL,
                offset INTEGER NOT NULL,
                length INTEGER NOT NULL,
                rows INTEGER NOT NULL,
                min_ts INTEGER NOT NULL,
                max_ts INTEGER NOT NULL,
                min_received_at INTEGER NOT NULL,
                max_received_at INTEGER NOT NULL,
                UNIQUE (segment, offset)
            );
            CREATE TABLE IF NOT EXISTS block_sites (
                site TEXT NOT NULL,
                block INTEGER NOT NULL,
                position INTEGER NOT NULL,
                PRIMARY KEY (site, block)
            ) WITHOUT ROWID;
            CREATE INDEX IF NOT EXISTS block_sites_by_block ON block_sites (block);
            """)
        if try !hasSchema() { try database.execute("PRAGMA user_version = \(Self.schemaVersion)") }
        schemaChecked = true
    }

    /// Opens a reader's connection to an existing catalog.
    init(readerPath path: String) throws {
        database = try SQLiteDatabase(path: path, create: false)
        try database.execute("PRAGMA query_only = 1")
    }

    /// Whether the writer has created the schema yet (a reader may open the file first).
    func hasSchema() throws -> Bool {
        if schemaChecked { return true }
        let s = try database.prepare("PRAGMA user_version")
        schemaChecked = try s.step() && s.int64(0) >= Self.schemaVersion
        return schemaChecked
    }

    // MARK: Queries

    struct SegmentRecord: Sendable, Equatable {
        var sequence: UInt64
        var createdAt: Int64
        var sealed: Bool
    }

    func segments() throws -> [SegmentRecord] {
        let s = try database.prepare("SELECT sequence, created_at, sealed FROM segments ORDER BY sequence")
        var result: [SegmentRecord] = []
        while try s.step() {
            result.append(SegmentRecord(sequence: UInt64(s.int64(0)), createdAt: s.int64(1), sealed: s.int64(2) != 0))
        }
        return result
    }

    /// Blocks in log order (segment, offset) whose ts range meets `[from, to)` and that hold
    /// `site`; `nil` bounds leave that side open.
    func blocks(from: Int64? = nil, to: Int64? = nil, site: String? = nil, segment: UInt64? = nil) throws -> [BlockInfo] {
        let s = try database.prepare("""
            SELECT id, segment, offset, length, rows, min_ts, max_ts, min_received_at, max_received_at
            FROM blocks
            WHERE (?1 IS NULL OR max_ts >= ?1) AND (?2 IS NULL OR min_ts < ?2)
              AND (?3 IS NULL OR id IN (SELECT block FROM block_sites WHERE site = ?3))
              AND (?4 IS NULL OR segment = ?4)
            ORDER BY segment, offset
            """)
        s.bind(1, from).bind(2, to).bind(3, site).bind(4, segment.map { Int64(bitPattern: $0) })
        var ids: [Int64] = []
        var result: [BlockInfo] = []
        while try s.step() {
            ids.append(s.int64(0))
            result.append(BlockInfo(
                location: BlockLocation(segment: UInt64(s.int64(1)), offset: Int(s.int64(2)), length: Int(s.int64(3))),
                summary: BlockSummary(
                    rows: Int(s.int64(4)), minTs: s.int64(5), maxTs: s.int64(6),
                    minReceivedAt: s.int64(7), maxReceivedAt: s.int64(8), sites: [])))
        }
        guard !result.isEmpty else { return result }
        var index: [Int64: Int] = [:]
        for (i, id) in ids.enumerated() { index[id] = i }
        let sites = try database.prepare("SELECT block, site FROM block_sites ORDER BY block, position")
        while try sites.step() {
            if let i = index[sites.int64(0)] { result[i].summary.sites.append(sites.string(1)) }
        }
        return result
    }

    /// For each segment the catalog knows blocks of, the end of its last known block.
    func knownEnds() throws -> [UInt64: Int] {
        let s = try database.prepare("SELECT segment, MAX(offset + length) FROM blocks GROUP BY segment")
        var ends: [UInt64: Int] = [:]
        while try s.step() { ends[UInt64(s.int64(0))] = Int(s.int64(1)) }
        return ends
    }

    // MARK: Changes

    /// A set of changes applied in one transaction, so readers never see half of a commit or
    /// of a recovery.
    struct Change {
        /// Forget everything first (catalog rebuild).
        var clearAll = false
        var removedSegments: [UInt64] = []
        /// Forget blocks of `segment` that end beyond `end` (the file is shorter than the catalog thought).
        var truncatedSegments: [(segment: UInt64, end: Int)] = []
        var addedSegments: [SegmentRecord] = []
        var sealedSegments: [UInt64] = []
        var addedBlocks: [BlockInfo] = []

        var isEmpty: Bool {
            !clearAll && removedSegments.isEmpty && truncatedSegments.isEmpty && addedSegments.isEmpty
                && sealedSegments.isEmpty && addedBlocks.isEmpty
        }
    }

    func apply(_ change: Change) throws {
        guard !change.isEmpty else { return }
        try database.transaction {
            if change.clearAll {
                try database.execute("DELETE FROM block_sites; DELETE FROM blocks; DELETE FROM segments;")
            }
            for segment in change.removedSegments {
                try removeBlocks(segment: segment, beyond: nil)
                try database.prepare("DELETE FROM segments WHERE sequence = ?1").bind(1, Int64(bitPattern: segment)).run()
            }
            for (segment, end) in change.truncatedSegments { try removeBlocks(segment: segment, beyond: end) }
            let addSegment = try database.prepare(
                "INSERT OR IGNORE INTO segments (sequence, file, created_at, sealed) VALUES (?1, ?2, ?3, ?4)")
            for record in change.addedSegments {
                try addSegment.bind(1, Int64(bitPattern: record.sequence)).bind(2, SegmentHeader.fileName(record.sequence))
                    .bind(3, record.createdAt).bind(4, record.sealed ? 1 : 0).run()
            }
            let seal = try database.prepare("UPDATE segments SET sealed = 1 WHERE sequence = ?1")
            for segment in change.sealedSegments { try seal.bind(1, Int64(bitPattern: segment)).run() }
            let addBlock = try database.prepare("""
                INSERT OR IGNORE INTO blocks
                    (segment, offset, length, rows, min_ts, max_ts, min_received_at, max_received_at)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                """)
            let addSite = try database.prepare("INSERT OR IGNORE INTO block_sites (site, block, position) VALUES (?1, ?2, ?3)")
            for block in change.addedBlocks {
                try addBlock.bind(1, Int64(bitPattern: block.segment)).bind(2, Int64(block.offset))
                    .bind(3, Int64(block.length)).bind(4, Int64(block.rows)).bind(5, block.minTs).bind(6, block.maxTs)
                    .bind(7, block.minReceivedAt).bind(8, block.maxReceivedAt).run()
                guard database.changes > 0 else { continue }
                let id = database.lastInsertRowID
                for (position, site) in block.sites.enumerated() {
                    try addSite.bind(1, site).bind(2, id).bind(3, Int64(position)).run()
                }
            }
        }
    }

    private func removeBlocks(segment: UInt64, beyond end: Int?) throws {
        let condition = "segment = ?1 AND (?2 IS NULL OR offset + length > ?2)"
        try database.prepare("DELETE FROM block_sites WHERE block IN (SELECT id FROM blocks WHERE \(condition))")
            .bind(1, Int64(bitPattern: segment)).bind(2, end.map(Int64.init)).run()
        try database.prepare("DELETE FROM blocks WHERE \(condition)")
            .bind(1, Int64(bitPattern: segment)).bind(2, end.map(Int64.init)).run()
    }
}
