import ClicklogEvents

/// The one place where refusals become WebSocket close codes, HTTP statuses and metric labels.
///
/// Close codes follow RFC 6455 §7.4.1; statuses follow what a client can act on: 401 for a key,
/// 403 for an origin, 413 for size, 415 for a content type, 503 for "retry later".
extension IngestError {
    /// The close code a WebSocket connection is closed with for this error.
    public var closeCode: UInt16 {
        switch code {
        case .messageTooLarge: 1009
        case .binaryFrame: 1003
        case .invalidUTF8, .invalidCompressedData: 1007
        case .protocolViolation: 1002
        case .idleTimeout, .shuttingDown: 1001
        case .storageUnavailable, .tooManyConnections: 1013  // try again later
        case .missingSite, .unknownSite, .originNotAllowed, .originMissing, .subprotocolRefused,
            .unsupportedMediaType, .notFound, .methodNotAllowed, .badRequest:
            1008  // policy violation
        }
    }

    /// The HTTP status a request is answered with for this error.
    public var httpStatus: Int {
        switch code {
        case .missingSite, .unknownSite: 401
        case .originNotAllowed, .originMissing: 403
        case .subprotocolRefused, .badRequest, .protocolViolation, .invalidUTF8, .invalidCompressedData, .binaryFrame: 400
        case .tooManyConnections, .storageUnavailable, .shuttingDown, .idleTimeout: 503
        case .messageTooLarge: 413
        case .unsupportedMediaType: 415
        case .notFound: 404
        case .methodNotAllowed: 405
        }
    }

    /// The `kind` label of `clicklog_limit_hits_total`, for the errors that are a limit being hit.
    public var limitKind: String? {
        switch code {
        case .messageTooLarge: "message_bytes"
        case .binaryFrame: "binary_frame"
        case .invalidUTF8: "invalid_utf8"
        case .invalidCompressedData: "invalid_compressed_data"
        case .protocolViolation: "protocol_violation"
        case .tooManyConnections: "connections"
        case .idleTimeout: "idle_timeout"
        default: nil
        }
    }

    /// The `reason` label of `clicklog_handshake_refusals_total`, for refusals at the upgrade or POST.
    public var refusalReason: String? {
        switch code {
        case .missingSite, .unknownSite: "site"
        case .originNotAllowed, .originMissing: "origin"
        case .subprotocolRefused: "subprotocol"
        default: nil
        }
    }
}

/// How a message the parser refused as a whole is answered.
enum MessageRefusal: Equatable {
    /// An error ack (`{"ack": N, "error": "..."}`); the connection stays open (POST: 400).
    case errorAck
    /// The message breaks a hard limit: close the WebSocket / answer with the error's status.
    case fatal(IngestError)

    init(_ error: MessageError, limits: EventLimits) {
        switch error.kind {
        case .tooLarge: self = .fatal(.messageTooLarge(limit: limits.maxMessageBytes))
        case .syntax, .notAMessage, .tooManyEvents: self = .errorAck
        }
    }

    /// The `kind` label counted in `clicklog_limit_hits_total` for this message error, if any.
    static func limitKind(_ error: MessageError) -> String? {
        switch error.kind {
        case .tooLarge: "message_bytes"
        case .tooManyEvents: "events_per_message"
        case .syntax, .notAMessage: nil
        }
    }
}
