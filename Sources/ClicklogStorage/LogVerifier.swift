/// What `clicklog verify` found.
public struct VerifyReport: Sendable {
    public var segments = 0
    public var blocks = 0
    public var rows = 0
    public var quarantineRecords = 0
    /// Every damaged block, torn tail, catalog disagreement and damaged quarantine record,
    /// with file and offset.
    public var problems: [StorageProblem] = []
    /// A writer held the lock, so the active segment was checked only as far as the catalog
    /// lists it (bytes past that may be an append in progress).
    public var writerActive = false

    /// Every checksum matched and the catalog agrees with the segments.
    public var isIntact: Bool { problems.isEmpty }
}

/// Checks a whole data directory against its checksums, without changing anything.
public enum LogVerifier {
    /// Scans every segment file block by block (header and every chunk CRC32C), compares what
    /// it finds with the catalog, and checks the quarantine file. Holds the writer's lock while
    /// it runs when it can; when a writer is running it checks around it (see `writerActive`).
    public static func verify(directory: String) throws -> VerifyReport {
        guard isDirectory(directory) else { throw StorageError.notADataDirectory(directory) }
        let layout = DataLayout(directory: directory)
        var report = VerifyReport()
        var lock: DirectoryLock?
        do {
            lock = try DirectoryLock(path: layout.lock)
        } catch let error as StorageError where error.code == .locked {
            report.writerActive = true
        }
        defer { _ = lock }

        let sequences = try layout.segmentSequences()
        report.segments = sequences.count
        var catalogued: [BlockLocation: BlockInfo] = [:]
        var knownEnds: [UInt64: Int] = [:]
        if fileExists(layout.catalog) {
            let catalog = try Catalog(readerPath: layout.catalog)
            if try catalog.hasSchema() {
                for block in try catalog.blocks() { catalogued[block.location] = block }
                knownEnds = try catalog.knownEnds()
            }
        } else if !sequences.isEmpty {
            report.problems.append(StorageProblem(
                file: layout.catalog, offset: 0, length: nil,
                reason: "catalog missing: run `clicklog verify --rebuild-catalog`"))
        }

        var found: Set<BlockLocation> = []
        for (index, sequence) in sequences.enumerated() {
            let isLast = index == sequences.count - 1
            let path = layout.segment(sequence)
            let file = try PosixFile(path: path, mode: .readOnly)
            let size = try file.size()
            var header: [UInt8] = []
            if size >= SegmentHeader.size { try file.readExactly(SegmentHeader.size, at: 0, appendingTo: &header) }
            do {
                _ = try header.withUnsafeBytes { try SegmentHeader.parse($0) }
            } catch let error as StorageError {
                report.problems.append(StorageProblem(file: path, offset: 0, length: min(size, SegmentHeader.size), reason: error.summary))
            }
            let end = report.writerActive && isLast ? min(size, knownEnds[sequence] ?? SegmentHeader.size) : size
            guard end > SegmentHeader.size else { continue }
            var scanner = SegmentScanner(file: file)
            let scan = try scanner.scan(from: SegmentHeader.size, to: end)
            report.problems += scan.damaged
            if var tail = scan.tail {
                if isLast { tail.reason += " (a torn tail: the writer cuts it off when it next opens the log)" }
                report.problems.append(tail)
            }
            for block in scan.blocks {
                let location = BlockLocation(segment: sequence, offset: block.offset, length: block.header.length)
                found.insert(location)
                report.blocks += 1
                report.rows += block.header.rows
                if catalogued[location] == nil {
                    report.problems.append(StorageProblem(
                        file: path, offset: block.offset, length: block.header.length,
                        reason: "valid block missing from the catalog: opening the writer or "
                            + "`clicklog verify --rebuild-catalog` adds it"))
                }
            }
        }
        for location in catalogued.keys.sorted(by: { ($0.segment, $0.offset) < ($1.segment, $1.offset) })
        where !found.contains(location) && !report.problems.contains(where: {
            $0.file == layout.segment(location.segment) && $0.offset == location.offset
        }) {
            report.problems.append(StorageProblem(
                file: layout.segment(location.segment), offset: location.offset, length: location.length,
                reason: "the catalog lists a block that is not in the segment: run `clicklog verify --rebuild-catalog`"))
        }

        let quarantine = try QuarantineReader.read(directory: directory)
        report.quarantineRecords = quarantine.records.count
        report.problems += quarantine.problems
        return report
    }
}
