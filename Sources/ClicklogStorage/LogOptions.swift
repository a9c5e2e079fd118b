/// How a `LogWriter` encodes blocks and when it seals segments.
public struct LogOptions: Sendable {
    /// Chunk compression. zstd level 3 by default: a few percent larger than level 9 on this
    /// data, at several times the speed, which matters for the server's commit latency.
    public var compression: BlockCompression = .zstd(level: 3)
    /// A segment is sealed before a block would take it past this many bytes (a segment always
    /// takes at least one block). 128 MiB: a few million events, few enough files to list in
    /// one `readdir`, small enough that a damaged file loses little and retention can drop
    /// whole segments.
    public var segmentSizeLimit: Int = 128 << 20
    /// A segment older than this is sealed at the next append, so that a quiet server does
    /// not keep appending to a days-old file (retention works on whole segments). One hour.
    public var segmentAgeLimit: Duration = .seconds(3600)

    /// The clock for segment ages, epoch microseconds (see `LogOptions+Testing.swift`).
    package var clock: @Sendable () -> Int64 = { nowMicros() }

    public init(
        compression: BlockCompression = .zstd(level: 3), segmentSizeLimit: Int = 128 << 20,
        segmentAgeLimit: Duration = .seconds(3600)
    ) {
        self.compression = compression
        self.segmentSizeLimit = segmentSizeLimit
        self.segmentAgeLimit = segmentAgeLimit
    }

    var segmentAgeLimitMicros: Int64 {
        let (seconds, attoseconds) = segmentAgeLimit.components
        return seconds.multipliedReportingOverflow(by: 1_000_000).overflow
            ? .max : seconds * 1_000_000 + attoseconds / 1_000_000_000_000
    }
}
