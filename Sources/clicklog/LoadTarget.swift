import ArgumentParser

/// Where `clicklog load` connects: a `ws://` URL split into what the socket and the upgrade
/// request need.
///
/// Only `ws://` with a literal host is accepted: the load generator measures a server on this
/// machine, so TLS and name resolution would only add noise to the figures (and `wss://` would
/// make the generator, not the server, the limit on two cores).
struct LoadTarget: Sendable, Equatable, CustomStringConvertible {
    var host: String
    var port: Int
    /// Path and query, as sent in the request line: `/v1/ws?site=demo`.
    var requestTarget: String

    var description: String { "ws://\(hostForURL):\(port)\(requestTarget)" }

    /// The `Host` header value.
    var hostHeader: String { "\(hostForURL):\(port)" }

    private var hostForURL: String { host.contains(":") ? "[\(host)]" : host }

    init(host: String, port: Int, requestTarget: String) {
        self.host = host
        self.port = port
        self.requestTarget = requestTarget
    }

    /// Parses `ws://HOST[:PORT][/PATH][?QUERY]`; the port defaults to 80 and the path to `/`.
    init?(parsing text: String) {
        guard text.hasPrefix("ws://") else { return nil }
        var rest = Substring(text.dropFirst(5))
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        rest = rest[authorityEnd...]
        var host: Substring
        var portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return nil }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if after.hasPrefix(":") { portText = after.dropFirst() } else if !after.isEmpty { return nil }
        } else if let colon = authority.lastIndex(of: ":") {
            host = authority[..<colon]
            portText = authority[authority.index(after: colon)...]
        } else {
            host = authority
        }
        guard !host.isEmpty else { return nil }
        var port = 80
        if let portText {
            guard let value = Int(portText), (1...65535).contains(value) else { return nil }
            port = value
        }
        var target = String(rest)
        if target.isEmpty || target.hasPrefix("?") { target = "/" + target }
        self.init(host: String(host), port: port, requestTarget: target)
    }
}

extension LoadTarget: ExpressibleByArgument {
    init?(argument: String) {
        self.init(parsing: argument)
    }
}
