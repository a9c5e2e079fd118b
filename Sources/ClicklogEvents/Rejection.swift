/// One event of a message that was refused, with the field at fault and why.
public struct Rejection: Sendable, Equatable, CustomStringConvertible {
    /// 0-based position of the event in the batch's `events` array (0 for a single-event message).
    public var index: Int
    /// The field at fault, as named on the wire (`ts`, `props.a.b`, ...), or `event` for the
    /// event as a whole.
    public var field: String
    public var reason: String
    /// Where the event's bytes are in the message, so the receiver can quarantine them raw.
    public var bytes: Range<Int>

    public init(index: Int, field: String, reason: String, bytes: Range<Int>) {
        self.index = index
        self.field = field
        self.reason = reason
        self.bytes = bytes
    }

    /// The reason as the ack reports it: `"ts: not a number or RFC 3339 time"`.
    public var description: String { "\(field): \(reason)" }
}
