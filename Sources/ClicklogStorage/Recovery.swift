/// Brings catalog and segment files into agreement when a writer opens the log
/// (docs/format.md, "Recovery").
///
/// For each segment file it scans from the end of the last block the catalog knows (or from the
/// first block, for a segment the catalog does not know) to the end of the file, checking every
/// checksum. Valid blocks found there were fsynced but not catalogued before a crash: they are
/// added. Damage followed by nothing valid in the *last* segment is a torn tail: it was never
/// committed (commit is fsync, and only the last segment is ever appended to), so it is cut off.
/// Damage anywhere else is reported and left for readers to skip. Blocks already in the catalog
/// are trusted, not re-read: recovery costs one scan of the uncatalogued tail, not of the log.
enum Recovery {
    /// Where the writer goes on appending: the last segment, if it is usable.
    struct Active {
        var file: PosixFile
        var sequence: UInt64
        var createdAt: Int64
        var size: Int
    }

    struct Outcome {
        var report = RecoveryReport()
        var active: Active?
        var nextSequence: UInt64 = 1
    }

    /// Runs recovery; with `rebuild`, the catalog is emptied and refilled from the files (all
    /// in one transaction, so readers see the old list or the new one, never a mix).
    static func run(layout: DataLayout, catalog: Catalog, rebuild: Bool) throws -> Outcome {
        var outcome = Outcome()
        var change = Catalog.Change()
        change.clearAll = rebuild
        let sequences = try layout.segmentSequences()
        let known = rebuild ? [] : try catalog.segments()
        let knownEnds = rebuild ? [:] : try catalog.knownEnds()
        let present = Set(sequences)
        for record in known where !present.contains(record.sequence) {
            change.removedSegments.append(record.sequence)
            outcome.report.forgottenBlocks += try catalog.blocks(segment: record.sequence).map(\.location)
        }
        let knownSequences = Set(known.map(\.sequence))

        for (index, sequence) in sequences.enumerated() {
            let isLast = index == sequences.count - 1
            let path = layout.segment(sequence)
            let file = try PosixFile(path: path, mode: .readWrite)
            var size = try file.size()
            var headerBytes: [UInt8] = []
            let header: SegmentHeader? = try {
                guard size >= SegmentHeader.size else { return nil }
                try file.readExactly(SegmentHeader.size, at: 0, appendingTo: &headerBytes)
                return try? headerBytes.withUnsafeBytes { try SegmentHeader.parse($0) }
            }()
            var start = max(knownEnds[sequence] ?? SegmentHeader.size, SegmentHeader.size)
            if start > size {
                change.truncatedSegments.append((sequence, size))
                outcome.report.forgottenBlocks += try catalog.blocks(segment: sequence)
                    .filter { $0.offset + $0.length > size }.map(\.location)
                let remaining = try catalog.blocks(segment: sequence).filter { $0.offset + $0.length <= size }
                start = remaining.map { $0.offset + $0.length }.max() ?? SegmentHeader.size
            }
            var scanner = SegmentScanner(file: file)
            let scan = size > start ? try scanner.scan(from: start, to: size) : SegmentScanner.Result(validEnd: start)

            if header == nil {
                if isLast && scan.blocks.isEmpty && knownEnds[sequence] == nil {
                    // Created, but the crash came before its header was durable: nothing was ever in it.
                    try removeFile(path)
                    try syncDirectory(layout.segments)
                    outcome.report.removedFiles.append(path)
                    if knownSequences.contains(sequence) { change.removedSegments.append(sequence) }
                    outcome.nextSequence = sequence + 1
                    continue
                }
                outcome.report.damaged.append(StorageProblem(
                    file: path, offset: 0, length: SegmentHeader.size, reason: "segment header damaged"))
            }

            outcome.report.damaged += scan.damaged
            if let tail = scan.tail {
                if isLast {
                    try file.truncate(to: tail.offset)
                    try file.sync()
                    size = tail.offset
                    outcome.report.truncations.append(RecoveryReport.Truncation(
                        file: path, offset: tail.offset, removedBytes: tail.length ?? 0, reason: tail.reason))
                } else {
                    outcome.report.damaged.append(tail)
                }
            }
            if !knownSequences.contains(sequence) {
                change.addedSegments.append(Catalog.SegmentRecord(
                    sequence: sequence, createdAt: header?.createdAt ?? 0, sealed: !isLast))
            } else if !isLast, known.first(where: { $0.sequence == sequence })?.sealed == false {
                change.sealedSegments.append(sequence)
            }
            for found in scan.blocks {
                let location = BlockLocation(segment: sequence, offset: found.offset, length: found.header.length)
                change.addedBlocks.append(BlockInfo(location: location, summary: BlockSummary(
                    rows: found.header.rows, minTs: found.header.minTs, maxTs: found.header.maxTs,
                    minReceivedAt: found.header.minReceivedAt, maxReceivedAt: found.header.maxReceivedAt,
                    sites: found.sites)))
                outcome.report.addedBlocks.append(location)
            }
            outcome.nextSequence = sequence + 1
            if isLast, let header {
                outcome.active = Active(file: file, sequence: sequence, createdAt: header.createdAt, size: size)
            }
        }
        try catalog.apply(change)
        return outcome
    }
}
