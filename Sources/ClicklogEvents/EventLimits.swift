/// The size limits of the protocol (spec: protocol.md, "Event" and "Messages").
///
/// Every limit bounds what one hostile message can make the server hold or write; the defaults
/// are the spec's.
public struct EventLimits: Sendable, Equatable {
    /// Largest message, in bytes. The spec's default is 1 MiB.
    public var maxMessageBytes = 1 << 20
    /// Most events in one batch message.
    public var maxEventsPerMessage = 1000
    /// Most properties per event, counted after flattening nested objects.
    public var maxProps = 64
    /// Deepest nesting of objects and arrays inside one event, to bound the parser's stack.
    /// Real events nest two or three levels; 32 leaves room without risk.
    public var maxDepth = 32
    /// An event's `ts` may be at most this far ahead of the server's clock (24 h).
    public var maxFutureMillis: Int64 = 24 * 3_600_000
    /// `ts` before 2000-01-01T00:00:00Z is rejected.
    public var minTimestampMillis: Int64 = 946_684_800_000

    public init() {}
}
