/// Why the server refused a request, a message or a connection: each case says what happened
/// and what the client (or operator) can do about it.
///
/// Match on `code` to react; print `description` to a person. The close code, HTTP status and
/// metric label of every case are decided in one place, `IngestError+Response.swift`.
public struct IngestError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kind of refusal, for callers and tests that react differently.
    public enum Code: String, Sendable, Hashable, CaseIterable {
        // At the handshake (WebSocket upgrade or POST), before any event is read.
        case missingSite
        case unknownSite
        case originNotAllowed
        case originMissing
        case subprotocolRefused
        case tooManyConnections
        // Messages.
        case messageTooLarge
        case binaryFrame
        case invalidUTF8
        case invalidCompressedData
        case protocolViolation
        case unsupportedMediaType
        // Connections.
        case idleTimeout
        case shuttingDown
        // HTTP routing.
        case notFound
        case methodNotAllowed
        case badRequest
        case storageUnavailable
    }

    private enum Reason: Sendable, Equatable {
        case missingSite
        case unknownSite(String)
        case originNotAllowed(origin: String, site: String)
        case originMissing(site: String)
        case subprotocolRefused(offered: String)
        case tooManyConnections(limit: Int)
        case messageTooLarge(limit: Int)
        case binaryFrame
        case invalidUTF8
        case invalidCompressedData(String)
        case protocolViolation(String)
        case unsupportedMediaType(String)
        case idleTimeout(seconds: Int64)
        case shuttingDown
        case notFound(path: String)
        case methodNotAllowed(method: String, path: String)
        case badRequest(String)
        case storageUnavailable(String)
    }

    private let reason: Reason

    private init(_ reason: Reason) { self.reason = reason }

    public var code: Code {
        switch reason {
        case .missingSite: .missingSite
        case .unknownSite: .unknownSite
        case .originNotAllowed: .originNotAllowed
        case .originMissing: .originMissing
        case .subprotocolRefused: .subprotocolRefused
        case .tooManyConnections: .tooManyConnections
        case .messageTooLarge: .messageTooLarge
        case .binaryFrame: .binaryFrame
        case .invalidUTF8: .invalidUTF8
        case .invalidCompressedData: .invalidCompressedData
        case .protocolViolation: .protocolViolation
        case .unsupportedMediaType: .unsupportedMediaType
        case .idleTimeout: .idleTimeout
        case .shuttingDown: .shuttingDown
        case .notFound: .notFound
        case .methodNotAllowed: .methodNotAllowed
        case .badRequest: .badRequest
        case .storageUnavailable: .storageUnavailable
        }
    }

    public var description: String {
        switch reason {
        case .missingSite:
            "no site key: add ?site=KEY to the URL"
        case .unknownSite(let key):
            "unknown site key \"\(key)\": use a key from the server's configuration"
        case .originNotAllowed(let origin, let site):
            "origin \(origin) is not allowed for site \"\(site)\": add it to the site's origins"
        case .originMissing(let site):
            "no Origin header, and site \"\(site)\" requires one: set allow_missing_origin for server-to-server senders"
        case .subprotocolRefused(let offered):
            "none of the offered subprotocols (\(offered)) is supported: offer clicklog.v1"
        case .tooManyConnections(let limit):
            "the server holds its limit of \(limit) connections: retry later"
        case .messageTooLarge(let limit):
            "message exceeds the limit of \(limit) bytes: split it into smaller batches"
        case .binaryFrame:
            "binary frames are not accepted: send each message as a text frame of UTF-8 JSON"
        case .invalidUTF8:
            "text message is not valid UTF-8"
        case .invalidCompressedData(let what):
            "compressed message cannot be inflated (\(what)): send it uncompressed or as valid permessage-deflate data"
        case .protocolViolation(let what):
            "WebSocket protocol violation: \(what)"
        case .unsupportedMediaType(let type):
            "content type \(type) is not accepted: send text/plain or application/json"
        case .idleTimeout(let seconds):
            "no frame or pong for \(seconds) s: closing the idle connection"
        case .shuttingDown:
            "the server is shutting down: reconnect and resend unacknowledged messages"
        case .notFound(let path):
            "nothing at \(path)"
        case .methodNotAllowed(let method, let path):
            "\(method) is not allowed on \(path)"
        case .badRequest(let what):
            "bad request: \(what)"
        case .storageUnavailable(let what):
            "events cannot be stored right now (\(what)): retry later"
        }
    }

    public static var missingSite: Self { .init(.missingSite) }
    public static func unknownSite(_ key: String) -> Self { .init(.unknownSite(String(key.prefix(64)))) }
    public static func originNotAllowed(_ origin: String, site: String) -> Self {
        .init(.originNotAllowed(origin: String(origin.prefix(256)), site: site))
    }
    public static func originMissing(site: String) -> Self { .init(.originMissing(site: site)) }
    public static func subprotocolRefused(offered: String) -> Self {
        .init(.subprotocolRefused(offered: String(offered.prefix(256))))
    }
    public static func tooManyConnections(limit: Int) -> Self { .init(.tooManyConnections(limit: limit)) }
    public static func messageTooLarge(limit: Int) -> Self { .init(.messageTooLarge(limit: limit)) }
    public static var binaryFrame: Self { .init(.binaryFrame) }
    public static var invalidUTF8: Self { .init(.invalidUTF8) }
    public static func invalidCompressedData(_ what: String) -> Self { .init(.invalidCompressedData(String(what.prefix(128)))) }
    public static func protocolViolation(_ what: String) -> Self { .init(.protocolViolation(what)) }
    public static func unsupportedMediaType(_ type: String) -> Self {
        .init(.unsupportedMediaType(String(type.prefix(128))))
    }
    public static func idleTimeout(seconds: Int64) -> Self { .init(.idleTimeout(seconds: seconds)) }
    public static var shuttingDown: Self { .init(.shuttingDown) }
    public static func notFound(path: String) -> Self { .init(.notFound(path: String(path.prefix(256)))) }
    public static func methodNotAllowed(_ method: String, path: String) -> Self {
        .init(.methodNotAllowed(method: method, path: String(path.prefix(256))))
    }
    public static func badRequest(_ what: String) -> Self { .init(.badRequest(what)) }
    public static func storageUnavailable(_ what: String) -> Self { .init(.storageUnavailable(what)) }
}
