import ClicklogEvents
import ClicklogStorage

/// Where the writer puts events and quarantine records: the data directory's log and
/// quarantine (`LogStore`), or a stand-in in tests that fails or stalls on demand.
///
/// Used by the writer thread only.
protocol EventStore: AnyObject {
    /// How blocks are compressed, for whoever encodes them ahead of `append`.
    var compression: BlockCompression { get }
    /// Writes one block, encoded ahead (the sealers do); not durable until `commit`.
    func append(_ block: EncodedBlock) throws
    /// Writes one block of `batch`, encoded here: for rows a sealer could not encode, so that
    /// the error surfaces and is retried like any failed write.
    func append(unencoded batch: EventBatch) throws
    /// Adds a quarantine record; not durable until `commit`.
    func quarantine(_ item: QuarantineItem) throws
    /// Makes everything appended durable (fsync), then visible to readers.
    func commit() throws
    /// Whether an earlier failure left the store unusable until `reopen`: a failed fsync
    /// may have dropped written pages, so what was appended since the last commit must be
    /// written again after reopening.
    var needsReopen: Bool { get }
    /// Closes and reopens the log (which runs its crash recovery).
    func reopen() throws
    func close() throws
}

/// The real store: a `LogWriter` and the `Quarantine` of one data directory.
final class LogStore: EventStore {
    let directory: String
    let options: LogOptions
    private var writer: LogWriter
    private let quarantineFile: Quarantine
    private var quarantineDirty = false
    private(set) var needsReopen = false

    /// Opens the log (taking its lock and running recovery) and the quarantine.
    init(directory: String, options: LogOptions) throws {
        self.directory = directory
        self.options = options
        writer = try LogWriter(directory: directory, options: options)
        quarantineFile = try Quarantine(directory: directory)
    }

    var recovery: RecoveryReport { writer.recovery }

    var compression: BlockCompression { options.compression }

    func append(_ block: EncodedBlock) throws {
        try reopeningOnFailure { _ = try writer.append(block) }
    }

    func append(unencoded batch: EventBatch) throws {
        try reopeningOnFailure { _ = try writer.append(batch) }
    }

    /// A write the writer could not finish leaves it unusable until reopened.
    private func reopeningOnFailure(_ write: () throws -> Void) throws {
        do {
            try write()
        } catch let error as StorageError where error.code == .writerFailed {
            needsReopen = true
            throw error
        }
    }

    func quarantine(_ item: QuarantineItem) throws {
        try quarantineFile.append(item.raw, reason: item.reason, time: item.time)
        quarantineDirty = true
    }

    func commit() throws {
        if quarantineDirty {
            try quarantineFile.sync()
            quarantineDirty = false
        }
        do {
            try writer.commit()
        } catch let error as StorageError where error.code == .writerFailed || error.code == .io {
            // A failed fsync makes the writer unusable (LogWriter.commit); an I/O error before
            // it may have left it usable, but reopening is always safe: recovery keeps every
            // committed block.
            needsReopen = true
            throw error
        }
    }

    func reopen() throws {
        try? writer.close()
        writer = try LogWriter(directory: directory, options: options)
        needsReopen = false
    }

    func close() throws {
        try writer.close()
        try quarantineFile.sync()
    }
}
