/// What an import did, for the command's report.
public struct ImportSummary: Sendable, Equatable {
    /// Lines read, blank ones included.
    public var lines = 0
    /// Events written to the log.
    public var accepted = 0
    /// Events refused by a rule of the protocol (kept in quarantine).
    public var rejected = 0
    /// Events dropped because their `id` was already stored or earlier in the file.
    public var duplicates = 0
    /// Lines that were not a message at all: not JSON, too long, not an event or batch
    /// (kept in quarantine).
    public var malformed = 0
    /// Input bytes consumed.
    public var bytes = 0
    /// Blocks appended to the log.
    public var blocks = 0

    public init() {}

    mutating func add(_ other: ImportSummary) {
        lines += other.lines
        accepted += other.accepted
        rejected += other.rejected
        duplicates += other.duplicates
        malformed += other.malformed
        bytes += other.bytes
        blocks += other.blocks
    }
}
