/// One entry of a site's allowed origins (protocol.md, "Sites and origins").
///
/// Forms: `*` (any origin), `https://shop.example` (exact; the scheme's default port may be
/// written or left out), `http://localhost:*` (any port), `https://*.shop.example` (any
/// subdomain, not the bare domain), and `null` (sandboxed documents, only when listed).
/// Schemes and hosts compare case-insensitively.
public struct OriginRule: Sendable, Equatable, CustomStringConvertible {
    private enum Host: Sendable, Equatable {
        case exact(String)
        /// `*.example.com`: stored as `.example.com`.
        case subdomains(String)
    }

    private enum Pattern: Sendable, Equatable {
        case any
        case null
        case origin(scheme: String, host: Host, port: Int?)  // nil: any port
    }

    private let pattern: Pattern
    public let description: String

    /// Parses a rule; `nil` for text that is not one of the forms above.
    public init?(_ text: String) {
        description = text
        if text == "*" {
            pattern = .any
            return
        }
        if text == "null" {
            pattern = .null
            return
        }
        let anyPort = text.hasSuffix(":*")
        let base = anyPort ? String(text.dropLast(2)) : text
        guard let origin = Origin(base) else { return nil }
        let host: Host
        if origin.host.hasPrefix("*.") {
            host = .subdomains(String(origin.host.dropFirst(1)))
        } else {
            guard !origin.host.contains("*") else { return nil }
            host = .exact(origin.host)
        }
        if anyPort && origin.explicitPort { return nil }
        pattern = .origin(scheme: origin.scheme, host: host, port: anyPort ? nil : origin.port)
    }

    /// Whether the `Origin` header value `origin` is allowed by this rule.
    public func matches(_ origin: String) -> Bool {
        switch pattern {
        case .any:
            return true
        case .null:
            return origin == "null"
        case .origin(let scheme, let host, let port):
            guard let parsed = Origin(origin), !parsed.host.contains("*"), parsed.scheme == scheme else { return false }
            if let port, parsed.port != port { return false }
            switch host {
            case .exact(let name): return parsed.host == name
            case .subdomains(let suffix): return parsed.host.hasSuffix(suffix) && parsed.host.count > suffix.count
            }
        }
    }
}

/// A serialised origin, `scheme://host[:port]` (RFC 6454 §6.1), normalised for comparison.
struct Origin: Equatable {
    var scheme: String
    var host: String
    var port: Int
    /// Whether the text named the port.
    var explicitPort: Bool

    init?(_ text: String) {
        guard let schemeEnd = text.range(of: "://") else { return nil }
        scheme = text[..<schemeEnd.lowerBound].lowercased()
        guard !scheme.isEmpty, scheme.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "+" || $0 == "-" || $0 == "." }) else {
            return nil
        }
        var rest = Substring(text[schemeEnd.upperBound...])
        guard !rest.isEmpty, !rest.contains("/"), !rest.contains("?"), !rest.contains("#"), !rest.contains("@") else { return nil }
        var portText: Substring?
        if rest.hasPrefix("[") {
            // IPv6 literal: [::1]:8080
            guard let close = rest.firstIndex(of: "]") else { return nil }
            let after = rest[rest.index(after: close)...]
            if after.hasPrefix(":") { portText = after.dropFirst() } else if !after.isEmpty { return nil }
            rest = rest[...close]
        } else if let colon = rest.lastIndex(of: ":") {
            portText = rest[rest.index(after: colon)...]
            rest = rest[..<colon]
        }
        guard !rest.isEmpty else { return nil }
        host = rest.lowercased()
        if let portText {
            guard let value = Int(portText), (0...65535).contains(value) else { return nil }
            port = value
            explicitPort = true
        } else {
            switch scheme {
            case "http", "ws": port = 80
            case "https", "wss": port = 443
            default: port = 0
            }
            explicitPort = false
        }
    }
}
