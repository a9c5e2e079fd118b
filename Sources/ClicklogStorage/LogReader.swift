import ClicklogEvents

/// Reads the log: lists blocks from the catalog, pruned by time and site, and decodes the
/// columns asked for. Sees only committed blocks (the catalog lists a block only after its
/// fsync), including while a writer in this or another process appends.
///
///     let reader = try LogReader(directory: "data")
///     for block in try reader.blocks(from: start, to: end, site: "demo") {
///         let batch = try reader.read(block, columns: ColumnSet([.event, .ts]))   // other columns stay empty
///     }
///
/// Sendable: threads may read different blocks at once (`pread`, no shared file position);
/// give each thread its own `BlockDecoder` to reuse buffers. Needs no lock on the data
/// directory. A damaged block makes `read` throw `.corrupt` with its position, and is added to
/// `problems`; `scan` skips such blocks and goes on.
public final class LogReader: Sendable {
    public let directory: String
    private let layout: DataLayout
    private let state = Locked(State())

    private struct State {
        var catalog: Catalog?
        var files: [UInt64: PosixFile] = [:]
        var problems: [StorageProblem] = []
    }

    /// Opens the log in `directory`, which must exist. A directory no writer has used yet
    /// reads as empty.
    public init(directory: String) throws {
        guard isDirectory(directory) else { throw StorageError.notADataDirectory(directory) }
        self.directory = directory
        layout = DataLayout(directory: directory)
    }

    /// Committed blocks whose `ts` range meets `[from, to)` (epoch ms; `nil` leaves that side
    /// open) and that hold events of `site`, in log order.
    public func blocks(from: Int64? = nil, to: Int64? = nil, site: String? = nil) throws -> [BlockInfo] {
        try state.withLock { state in
            guard let catalog = try openCatalog(&state) else { return [] }
            return try catalog.blocks(from: from, to: to, site: site)
        }
    }

    /// Damage met by `read`, `readStrings` and `scan` so far, one entry per block.
    public var problems: [StorageProblem] { state.withLock { $0.problems } }

    /// Decodes `columns` of `block`; the other columns of the result stay empty.
    public func read(_ block: BlockInfo, columns: ColumnSet = .all, decoder: BlockDecoder? = nil) throws -> EventBatch {
        try withBlock(block, decoder: decoder) { decoder, header, entries, read in
            try decoder.decode(header: header, entries: entries, columns: columns, read: read)
        }
    }

    /// A string column of `block` as distinct values plus one code per row, for aggregating on
    /// codes. Built on the fly when the chunk is not dictionary-encoded. With `packedUUIDs`, a
    /// dictionary of UUIDs comes as their 16 bytes each (`DictionaryStrings.uuidsPacked`).
    public func readStrings(
        _ block: BlockInfo, column: Column, decoder: BlockDecoder? = nil, packedUUIDs: Bool = false
    ) throws -> DictionaryStrings {
        try withBlock(block, decoder: decoder) { decoder, header, entries, read in
            try decoder.dictionaryStrings(header: header, entries: entries, column: column, packedUUIDs: packedUUIDs, read: read)
        }
    }

    /// Calls `body` with each block in `[from, to)` for `site`, decoded to `columns`, in log
    /// order; damaged blocks are skipped (and listed in `problems`).
    public func scan(
        from: Int64? = nil, to: Int64? = nil, site: String? = nil, columns: ColumnSet = .all,
        _ body: (BlockInfo, EventBatch) throws -> Void
    ) throws {
        let decoder = BlockDecoder()
        for block in try blocks(from: from, to: to, site: site) {
            let batch: EventBatch
            do {
                batch = try read(block, columns: columns, decoder: decoder)
            } catch let error as StorageError where error.code == .corrupt {
                continue
            }
            try body(block, batch)
        }
    }

    // MARK: Internals

    func withBlock<R>(
        _ block: BlockInfo, decoder: BlockDecoder?,
        _ body: (BlockDecoder, BlockHeader, [ChunkEntry], (ChunkEntry, inout [UInt8]) throws -> Void) throws -> R
    ) throws -> R {
        let decoder = decoder ?? BlockDecoder()
        let file = try segmentFile(block.segment)
        do {
            var prefix: [UInt8] = []
            try file.readExactly(min(block.length, 512), at: block.offset, appendingTo: &prefix)
            let header = try prefix.withUnsafeBytes { try BlockHeader.parse($0) }
            guard header.length == block.length, header.rows == block.rows else {
                throw StorageError.corrupt("block header disagrees with the catalog (length \(header.length), rows \(header.rows))")
            }
            if prefix.count < header.prefixLength {
                try file.readExactly(header.prefixLength - prefix.count, at: block.offset + prefix.count, appendingTo: &prefix)
            }
            let entries = try prefix.withUnsafeBytes { try header.parseDirectory($0) }
            return try body(decoder, header, entries) { entry, stored in
                stored.removeAll(keepingCapacity: true)
                try file.readExactly(entry.storedLength, at: block.offset + entry.offset, appendingTo: &stored)
            }
        } catch let error as StorageError where error.code == .corrupt || error.code == .io {
            let located = error.located(path: file.path, offset: block.offset)
            if error.code == .corrupt {
                let problem = StorageProblem(file: file.path, offset: block.offset, length: block.length, reason: error.summary)
                state.withLock { state in
                    if !state.problems.contains(where: { $0.file == problem.file && $0.offset == problem.offset }) {
                        state.problems.append(problem)
                    }
                }
            }
            throw located
        }
    }

    private func segmentFile(_ sequence: UInt64) throws -> PosixFile {
        try state.withLock { state in
            if let file = state.files[sequence] { return file }
            let file = try PosixFile(path: layout.segment(sequence), mode: .readOnly)
            state.files[sequence] = file
            return file
        }
    }

    /// The catalog connection, opened on first use; `nil` while no writer has created one.
    private func openCatalog(_ state: inout State) throws -> Catalog? {
        if let catalog = state.catalog { return catalog }
        guard fileExists(layout.catalog) else {
            if try !layout.segmentSequences().isEmpty { throw StorageError.catalogMissing(path: layout.catalog) }
            return nil
        }
        let catalog = try Catalog(readerPath: layout.catalog)
        guard try catalog.hasSchema() else { return nil }
        state.catalog = catalog
        return catalog
    }
}
