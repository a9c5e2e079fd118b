/// What opening a log found and repaired: torn tails cut off, blocks the catalog had missed,
/// damage left in place for readers to skip.
public struct RecoveryReport: Sendable, Equatable, CustomStringConvertible {
    /// A torn or corrupt tail cut off the active segment.
    public struct Truncation: Sendable, Equatable {
        public var file: String
        /// The new length of the file: where the cut tail started.
        public var offset: Int
        public var removedBytes: Int
        public var reason: String
    }

    public var truncations: [Truncation] = []
    /// Valid blocks found in segment files that the catalog did not list (a crash between a
    /// block's fsync and its catalog insert, or a rebuild), now added to the catalog.
    public var addedBlocks: [BlockLocation] = []
    /// Damaged blocks before valid ones: left in place, skipped by readers, listed by verify.
    public var damaged: [StorageProblem] = []
    /// Segment files removed because they held nothing but an unfinished header.
    public var removedFiles: [String] = []
    /// Catalog entries dropped because their bytes are no longer in the segment files.
    public var forgottenBlocks: [BlockLocation] = []

    public init() {}

    /// Nothing was found to repair or report.
    public var isClean: Bool {
        truncations.isEmpty && addedBlocks.isEmpty && damaged.isEmpty && removedFiles.isEmpty && forgottenBlocks.isEmpty
    }

    public var description: String {
        if isClean { return "recovery: log is clean" }
        var lines: [String] = []
        for t in truncations {
            lines.append("cut off \(t.removedBytes) bytes at offset \(t.offset) of \(t.file): \(t.reason)")
        }
        if !addedBlocks.isEmpty { lines.append("added \(addedBlocks.count) blocks missing from the catalog") }
        for d in damaged { lines.append("damaged, skipped by readers: \(d)") }
        for f in removedFiles { lines.append("removed unfinished segment \(f)") }
        if !forgottenBlocks.isEmpty {
            lines.append("dropped \(forgottenBlocks.count) catalog entries for bytes missing from the segments")
        }
        return lines.map { "recovery: " + $0 }.joined(separator: "\n")
    }
}
