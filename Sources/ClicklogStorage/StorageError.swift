/// Everything that can go wrong in the storage engine, with a description that says what
/// happened, where, and what to do about it.
///
/// Match on `code` to react; print `description` to a person.
public struct StorageError: Error, CustomStringConvertible, Sendable {
    /// What kind of failure this is, for callers that react differently (for example the
    /// server answers 503 on `.io` but drops the message on `.invalidBatch`).
    public enum Code: Sendable, Hashable {
        /// Another process (or another `LogWriter` here) holds the data directory's lock.
        case locked
        /// A system call failed: disk full, permissions, a vanished file.
        case io
        /// Bytes on disk do not match their checksum or do not parse.
        case corrupt
        /// The batch cannot be stored as given (empty, inconsistent columns, too large).
        case invalidBatch
        /// The SQLite catalog failed or is missing.
        case catalog
        /// An earlier failure left this writer unusable; reopen the log to recover.
        case writerFailed
    }

    private enum Reason: Sendable {
        case locked(path: String, holder: String)
        case io(operation: String, path: String, errno: Int32)
        case shortRead(path: String, offset: Int, wanted: Int, got: Int)
        case corrupt(what: String, path: String?, offset: Int?)
        case invalidBatch(String)
        case catalog(String)
        case catalogMissing(path: String)
        case writerFailed(cause: String)
        case notADataDirectory(path: String)
    }

    private let reason: Reason

    private init(_ reason: Reason) { self.reason = reason }

    public var code: Code {
        switch reason {
        case .locked: .locked
        case .io, .notADataDirectory: .io
        case .corrupt, .shortRead: .corrupt
        case .invalidBatch: .invalidBatch
        case .catalog, .catalogMissing: .catalog
        case .writerFailed: .writerFailed
        }
    }

    /// For corruption found in a segment file: the file and the byte offset of the damaged block.
    public var position: (path: String, offset: Int)? {
        if case .corrupt(_, let path?, let offset?) = reason { return (path, offset) }
        return nil
    }

    public var description: String {
        switch reason {
        case .locked(let path, let holder):
            "the data directory is locked by another writer (\(path)\(holder.isEmpty ? "" : ", held by \(holder)")): "
                + "stop the other `clicklog serve` or `clicklog import`, or point this one at another --data directory"
        case .io(let operation, let path, let code):
            "\(operation) failed for \(path): \(errnoDescription(code))"
                + (code == ENOSPC_CODE ? "; free disk space, then retry" : "")
        case .shortRead(let path, let offset, let wanted, let got):
            "\(path) ends early: wanted \(wanted) bytes at offset \(offset), got \(got); "
                + "the file was truncated underneath the reader: run `clicklog verify`"
        case .corrupt(let what, let path, let offset):
            "corrupt data: \(what)" + (path.map { " in \($0)" } ?? "") + (offset.map { " at offset \($0)" } ?? "")
                + "; readers skip it; `clicklog verify` lists every damaged block"
        case .invalidBatch(let what):
            "cannot store this batch: \(what)"
        case .catalog(let what):
            "catalog error: \(what); the catalog can be rebuilt from the segments with `clicklog verify --rebuild-catalog`"
        case .catalogMissing(let path):
            "no catalog at \(path) although segment files exist: run `clicklog verify --rebuild-catalog`, "
                + "or start the writer, which rebuilds it"
        case .writerFailed(let cause):
            "the log writer stopped after an earlier failure (\(cause)); nothing after the last successful commit "
                + "is durable: close it and open a new LogWriter, which recovers the log"
        case .notADataDirectory(let path):
            "\(path) is not a directory: pass an existing data directory with --data"
        }
    }

    static func locked(path: String, holder: String) -> Self { .init(.locked(path: path, holder: holder)) }
    static func io(_ operation: String, path: String, errno: Int32) -> Self {
        .init(.io(operation: operation, path: path, errno: errno))
    }
    static func shortRead(path: String, offset: Int, wanted: Int, got: Int) -> Self {
        .init(.shortRead(path: path, offset: offset, wanted: wanted, got: got))
    }
    static func corrupt(_ what: String, path: String? = nil, offset: Int? = nil) -> Self {
        .init(.corrupt(what: what, path: path, offset: offset))
    }
    static func invalidBatch(_ what: String) -> Self { .init(.invalidBatch(what)) }
    static func catalog(_ what: String) -> Self { .init(.catalog(what)) }
    static func catalogMissing(path: String) -> Self { .init(.catalogMissing(path: path)) }
    static func writerFailed(cause: String) -> Self { .init(.writerFailed(cause: cause)) }
    static func notADataDirectory(_ path: String) -> Self { .init(.notADataDirectory(path: path)) }

    /// A short statement of what is wrong, without advice: for lists of problems.
    var summary: String {
        if case .corrupt(let what, _, _) = reason { return what }
        return description
    }

    /// The same corruption, placed in a file at an offset (decoders do not know where bytes came from).
    func located(path: String, offset: Int) -> Self {
        if case .corrupt(let what, nil, nil) = reason { return .corrupt(what, path: path, offset: offset) }
        return self
    }
}
