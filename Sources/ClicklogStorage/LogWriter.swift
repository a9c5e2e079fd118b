import ClicklogEvents

/// Appends batches to the log: the single writer of a data directory.
///
///     let writer = try LogWriter(directory: "data")       // locks, recovers (see `recovery`)
///     try writer.append(batchA)                            // written, not yet durable
///     try writer.append(batchB)
///     try writer.commit()                                  // fsync, then catalog: both durable
///
/// `commit` is the commit point: once it returns, the blocks survive kill -9 and power loss.
/// Blocks appended but not committed may or may not survive a crash (they are whole or cut
/// off, never half-read). Group commit: append several batches, commit once.
///
/// Not thread-safe: one owner (the server's storage task, or an import loop). Holds the data
/// directory's lock until `close()` or deinit. After a failed write or fsync every call throws
/// `.writerFailed`: open a new writer, whose recovery repairs the log.
public final class LogWriter {
    public let directory: String
    public let options: LogOptions
    /// What opening the log found and repaired.
    public let recovery: RecoveryReport

    private let layout: DataLayout
    private var lock: DirectoryLock?
    private let catalog: Catalog
    private let encoder: BlockEncoder
    private var buffer: [UInt8] = []
    private var active: Recovery.Active?
    private var nextSequence: UInt64
    /// Bytes written to the active segment since its last fsync.
    private var dirty = false
    private var pending = Catalog.Change()
    private var failure: String?

    /// Opens (creating when missing) the log in `directory`, takes its lock and runs recovery.
    public convenience init(directory: String, options: LogOptions = LogOptions()) throws {
        try self.init(directory: directory, options: options, rebuildCatalog: false)
    }

    init(directory: String, options: LogOptions, rebuildCatalog: Bool) throws {
        self.directory = directory
        self.options = options
        layout = DataLayout(directory: directory)
        try makeDirectory(directory)
        lock = try DirectoryLock(path: layout.lock)
        try makeDirectory(layout.segments)
        if rebuildCatalog { try Self.removeCatalogIfUnreadable(layout) }
        catalog = try Catalog(writerPath: layout.catalog)
        let outcome = try Recovery.run(layout: layout, catalog: catalog, rebuild: rebuildCatalog)
        recovery = outcome.report
        active = outcome.active
        nextSequence = outcome.nextSequence
        encoder = BlockEncoder(compression: options.compression)
    }

    /// Sequence number of the segment being appended to, if any.
    public var activeSegment: UInt64? { active?.sequence }

    /// Blocks appended since the last commit.
    public var uncommittedBlocks: Int { pending.addedBlocks.count }

    /// Encodes `batch` as one block and writes it to the active segment, sealing the segment
    /// first when it is over its size or age limit. Not durable until `commit()`.
    @discardableResult
    public func append(_ batch: EventBatch) throws -> BlockLocation {
        try checkUsable()
        let summary = try encoder.encode(batch, into: &buffer)
        return try write(buffer, summary: summary)
    }

    /// Writes a block encoded elsewhere (`EncodedBlock`), as `append(_:)` does with its own.
    /// The block is trusted to be well formed: it was made by `BlockEncoder`.
    @discardableResult
    public func append(_ block: EncodedBlock) throws -> BlockLocation {
        try checkUsable()
        return try write(block.bytes, summary: block.summary)
    }

    private func write(_ bytes: [UInt8], summary: BlockSummary) throws -> BlockLocation {
        if let current = active, shouldSeal(current, adding: bytes.count) {
            try seal(current)
        }
        if active == nil { try startSegment() }
        let segment = active!
        do {
            try bytes.withUnsafeBytes { try segment.file.write($0, at: segment.size) }
        } catch {
            // Leave no partial block behind, so the next append does not follow garbage.
            do {
                try segment.file.truncate(to: segment.size)
            } catch {
                failure = "could not remove a partly written block: \(error)"
            }
            throw error
        }
        dirty = true
        let location = BlockLocation(segment: segment.sequence, offset: segment.size, length: bytes.count)
        active!.size += bytes.count
        pending.addedBlocks.append(BlockInfo(location: location, summary: summary))
        return location
    }

    /// Makes every appended block durable (fsync of the active segment), then lists them in the
    /// catalog so readers see them. When it returns, they survive a crash.
    public func commit() throws {
        try checkUsable()
        if dirty, let active {
            do {
                try active.file.sync()
            } catch {
                // After a failed fsync the kernel may have dropped the dirty pages: never retry.
                failure = "fsync failed: \(error)"
                throw error
            }
            dirty = false
        }
        // Durable from here on; if the catalog insert fails, the next commit (or recovery) adds them.
        try catalog.apply(pending)
        pending = Catalog.Change()
    }

    /// `append` then `commit`: one block, durable on return.
    @discardableResult
    public func appendAndCommit(_ batch: EventBatch) throws -> BlockLocation {
        let location = try append(batch)
        try commit()
        return location
    }

    /// Commits what is pending and releases the lock. The writer cannot be used afterwards.
    public func close() throws {
        defer {
            lock = nil
            active = nil
            if failure == nil { failure = "closed" }
        }
        if failure == nil { try commit() }
    }

    // MARK: Segments

    private func shouldSeal(_ segment: Recovery.Active, adding bytes: Int) -> Bool {
        guard segment.size > SegmentHeader.size else { return false }
        if segment.size + bytes > options.segmentSizeLimit { return true }
        return options.clock() - segment.createdAt >= options.segmentAgeLimitMicros
    }

    /// Makes the segment durable before moving on, so that only the last segment can ever have
    /// a torn tail (which is what lets recovery cut tails only there).
    private func seal(_ segment: Recovery.Active) throws {
        if dirty {
            do {
                try segment.file.sync()
            } catch {
                failure = "fsync failed: \(error)"
                throw error
            }
            dirty = false
        }
        pending.sealedSegments.append(segment.sequence)
        active = nil
    }

    private func startSegment() throws {
        let sequence = nextSequence
        let path = layout.segment(sequence)
        let header = SegmentHeader(sequence: sequence, createdAt: options.clock())
        let file = try PosixFile(path: path, mode: .createReadWrite)
        do {
            try file.truncate(to: 0)
            try header.bytes().withUnsafeBytes { try file.write($0, at: 0) }
            try file.sync()
            try syncDirectory(layout.segments)
        } catch {
            try? removeFile(path)
            throw error
        }
        nextSequence += 1
        active = Recovery.Active(file: file, sequence: sequence, createdAt: header.createdAt, size: SegmentHeader.size)
        pending.addedSegments.append(Catalog.SegmentRecord(sequence: sequence, createdAt: header.createdAt, sealed: false))
    }

    private func checkUsable() throws {
        if let failure { throw StorageError.writerFailed(cause: failure) }
    }

    /// For a rebuild: a catalog SQLite cannot open is moved aside so a new one can be made.
    private static func removeCatalogIfUnreadable(_ layout: DataLayout) throws {
        guard fileExists(layout.catalog) else { return }
        do {
            let probe = try Catalog(readerPath: layout.catalog)
            _ = try probe.hasSchema()
        } catch {
            for suffix in ["", "-wal", "-shm"] { try removeFile(layout.catalog + suffix) }
        }
    }
}

extension LogWriter {
    /// Empties the catalog and refills it from the segment files (`clicklog verify
    /// --rebuild-catalog`). Takes the writer's lock for the duration; returns what recovery found.
    public static func rebuildCatalog(directory: String, options: LogOptions = LogOptions()) throws -> RecoveryReport {
        guard isDirectory(directory) else { throw StorageError.notADataDirectory(directory) }
        let writer = try LogWriter(directory: directory, options: options, rebuildCatalog: true)
        defer { try? writer.close() }
        return writer.recovery
    }
}
