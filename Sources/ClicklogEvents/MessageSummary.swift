/// What parsing one message produced: the counts of its ack and the rejections.
public struct MessageSummary: Sendable, Equatable {
    public var isBatch = false
    /// The batch's `seq`, when it has one.
    public var seq: Int64?
    /// The batch's `sent_at`, epoch ms, when it has one.
    public var sentAt: Int64?
    /// Events in the message, accepted or not.
    public var events = 0
    /// Events appended to the batch.
    public var accepted = 0
    /// Valid events dropped because their `id` was already stored or repeated in the message.
    public var duplicates = 0
    public var rejections: [Rejection] = []

    public init() {}
}
