/// Why a whole message was refused. Each event of a message that parses gets its own verdict
/// (`Rejection`) instead; these errors are for messages that cannot be read as a message at all.
///
/// The receiver answers with an error ack (or the close code / HTTP status the spec gives for
/// the kind) and keeps the raw message in quarantine.
public struct MessageError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// Not JSON, or not UTF-8.
        case syntax
        /// Larger than `EventLimits.maxMessageBytes`: close 1009 / HTTP 413.
        case tooLarge
        /// Valid JSON that is neither an event object nor a batch.
        case notAMessage
        /// A batch with more than `EventLimits.maxEventsPerMessage` events.
        case tooManyEvents
    }

    public var kind: Kind
    public var description: String

    static func syntax(_ error: JSONSyntaxError) -> MessageError {
        MessageError(kind: .syntax, description: error.description)
    }

    static func tooLarge(_ size: Int, limit: Int) -> MessageError {
        MessageError(kind: .tooLarge, description: "message of \(size) bytes exceeds the limit of \(limit) bytes; split it into smaller batches")
    }

    static func notAMessage(_ reason: String) -> MessageError {
        MessageError(kind: .notAMessage, description: "\(reason); send an event object or {\"seq\": N, \"events\": [...]}")
    }

    static func tooManyEvents(limit: Int) -> MessageError {
        MessageError(kind: .tooManyEvents, description: "batch has more than \(limit) events; split it into smaller batches")
    }
}
