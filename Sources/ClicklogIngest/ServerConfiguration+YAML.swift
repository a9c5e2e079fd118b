import Foundation
import Yams

/// Reads the YAML configuration file (docs/config.md; example: tools/clicklog.example.yaml).
///
/// Every key is optional and overrides the default. Unknown keys are errors, not silently
/// ignored: a misspelt `max_conections` would otherwise leave a limit at its default unnoticed.
/// Errors name the key and the line.
extension ServerConfiguration {
    /// Loads `path` on top of the defaults.
    public static func load(path: String) throws(ConfigurationError) -> ServerConfiguration {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigurationError("cannot read the configuration file \(path): \(error.localizedDescription)")
        }
        do {
            var configuration = ServerConfiguration()
            try configuration.apply(yaml: text)
            return configuration
        } catch {
            throw ConfigurationError("\(path): \(error.description)")
        }
    }

    /// Applies the settings of a YAML document to this configuration.
    public mutating func apply(yaml text: String) throws(ConfigurationError) {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            throw ConfigurationError("not valid YAML: \(error)")
        }
        guard let root else { return }  // empty file: all defaults
        let top = try Section(root, path: "")
        try top.allow(["listen", "tls", "ip_mode", "trusted_proxies", "sites", "limits", "group_commit", "deduplication", "zstd_level", "event_loop_threads", "permessage_deflate"])

        if let listen = try top.section("listen") {
            try listen.allow(["host", "port"])
            if let host = try listen.string("host") { self.host = host }
            if let port = try listen.int("port", in: 0...65535) { self.port = port }
        }
        if let tls = try top.section("tls") {
            try tls.allow(["certificate", "key"])
            guard let certificate = try tls.string("certificate"), let key = try tls.string("key") else {
                throw tls.error("needs both certificate and key (PEM file paths)")
            }
            self.tls = TLSFiles(certificatePath: certificate, keyPath: key)
        }
        if let mode = try top.string("ip_mode") {
            guard let value = IPMode(rawValue: mode) else { throw top.error("ip_mode must be full, anonymized or none, not \(mode)") }
            ipMode = value
        }
        if let proxies = try top.strings("trusted_proxies") { trustedProxies = try TrustedProxies(proxies) }
        if let sites = try top.sequence("sites") {
            self.sites = try sites.map { node throws(ConfigurationError) in try Self.site(node) }
            var seen = Set<String>()
            for site in self.sites where !seen.insert(site.key).inserted {
                throw top.error("site key \(site.key) appears twice")
            }
        }
        if let limits = try top.section("limits") {
            try limits.allow([
                "max_message_bytes", "max_events_per_message", "max_props", "max_connections",
                "idle_timeout_seconds", "shutdown_timeout_seconds", "max_header_bytes",
            ])
            if let v = try limits.int("max_message_bytes", in: 64...(1 << 30)) { self.limits.events.maxMessageBytes = v }
            if let v = try limits.int("max_events_per_message", in: 1...100_000) { self.limits.events.maxEventsPerMessage = v }
            if let v = try limits.int("max_props", in: 0...10_000) { self.limits.events.maxProps = v }
            if let v = try limits.int("max_connections", in: 1...1_000_000) { self.limits.maxConnections = v }
            if let v = try limits.int("idle_timeout_seconds", in: 1...86_400) { self.limits.idleTimeout = .seconds(v) }
            if let v = try limits.int("shutdown_timeout_seconds", in: 0...3600) { self.limits.shutdownTimeout = .seconds(v) }
            if let v = try limits.int("max_header_bytes", in: 1024...(1 << 20)) { self.limits.maxHeaderBytes = v }
        }
        if let commit = try top.section("group_commit") {
            try commit.allow(["max_block_events", "max_delay_ms", "min_eager_events", "encoder_threads", "max_queued_events", "max_queued_bytes", "retry_interval_ms"])
            if let v = try commit.int("max_block_events", in: 1...1_000_000) { groupCommit.maxBlockEvents = v }
            if let v = try commit.int("max_delay_ms", in: 0...10_000) { groupCommit.maxDelay = .milliseconds(v) }
            if let v = try commit.int("min_eager_events", in: 1...1_000_000) { groupCommit.minEagerEvents = v }
            if let v = try commit.int("encoder_threads", in: 1...64) { groupCommit.encoderThreads = v }
            if let v = try commit.int("max_queued_events", in: 1...100_000_000) { groupCommit.maxQueuedEvents = v }
            if let v = try commit.int("max_queued_bytes", in: 1024...(1 << 40)) { groupCommit.maxQueuedBytes = v }
            if let v = try commit.int("retry_interval_ms", in: 1...600_000) { groupCommit.retryInterval = .milliseconds(v) }
        }
        if let dedup = try top.section("deduplication") {
            try dedup.allow(["window_hours", "max_ids"])
            if let v = try dedup.int("window_hours", in: 0...24 * 365) { deduplicationWindow = .seconds(v * 3600) }
            if let v = try dedup.int("max_ids", in: 200_000...1_000_000_000) { deduplicationMaxIDs = v }
        }
        if let v = try top.int("zstd_level", in: 1...19) { zstdLevel = v }
        if let v = try top.int("event_loop_threads", in: 0...256) { eventLoopThreads = v }
        if let v = try top.bool("permessage_deflate") { permessageDeflate = v }
    }

    private static func site(_ node: Node) throws(ConfigurationError) -> Site {
        let section = try Section(node, path: "sites[]")
        try section.allow(["key", "origins", "allow_missing_origin"])
        guard let key = try section.string("key"), !key.isEmpty else { throw section.error("every site needs a key") }
        guard key.utf8.count <= 128, key.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }) else {
            throw section.error("site key \(key) must be 1–128 characters of A–Z, a–z, 0–9, - _ .")
        }
        var origins: [OriginRule] = []
        for text in try section.strings("origins") ?? [] {
            guard let rule = OriginRule(text) else {
                throw section.error("origin \(text) of site \(key) is not *, null, scheme://host[:port], scheme://host:* or scheme://*.domain")
            }
            origins.append(rule)
        }
        let allowMissing = try section.bool("allow_missing_origin") ?? false
        return Site(key: key, origins: origins, allowsMissingOrigin: allowMissing)
    }
}

/// A YAML mapping being read, with errors that name the key and line.
private struct Section {
    let node: Node
    let mapping: Node.Mapping
    let path: String

    init(_ node: Node, path: String) throws(ConfigurationError) {
        guard let mapping = node.mapping else {
            throw ConfigurationError("\(path.isEmpty ? "the document" : path)\(Section.line(node)) must be a mapping of keys to values")
        }
        self.node = node
        self.mapping = mapping
        self.path = path
    }

    static func line(_ node: Node) -> String {
        node.mark.map { " (line \($0.line))" } ?? ""
    }

    func error(_ message: String) -> ConfigurationError {
        ConfigurationError("\(path.isEmpty ? "" : path + ": ")\(message)\(Section.line(node))")
    }

    func allow(_ keys: Set<String>) throws(ConfigurationError) {
        for key in mapping.keys {
            guard let name = key.string, keys.contains(name) else {
                throw ConfigurationError(
                    "unknown key \(key.string ?? "?")\(path.isEmpty ? "" : " in \(path)")\(Section.line(key)); "
                        + "expected one of: \(keys.sorted().joined(separator: ", "))")
            }
        }
    }

    private func value(_ key: String) -> Node? {
        guard let node = mapping[key] else { return nil }
        if node.null != nil, node.scalar != nil { return nil }
        return node
    }

    private func name(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    func section(_ key: String) throws(ConfigurationError) -> Section? {
        guard let node = value(key) else { return nil }
        return try Section(node, path: name(key))
    }

    func string(_ key: String) throws(ConfigurationError) -> String? {
        guard let node = value(key) else { return nil }
        guard let scalar = node.scalar else { throw ConfigurationError("\(name(key))\(Section.line(node)) must be a string") }
        return scalar.string
    }

    func int(_ key: String, in range: ClosedRange<Int>) throws(ConfigurationError) -> Int? {
        guard let node = value(key) else { return nil }
        guard let v = node.int, range.contains(v) else {
            throw ConfigurationError("\(name(key))\(Section.line(node)) must be an integer from \(range.lowerBound) to \(range.upperBound)")
        }
        return v
    }

    func bool(_ key: String) throws(ConfigurationError) -> Bool? {
        guard let node = value(key) else { return nil }
        guard let v = node.bool else { throw ConfigurationError("\(name(key))\(Section.line(node)) must be true or false") }
        return v
    }

    func sequence(_ key: String) throws(ConfigurationError) -> [Node]? {
        guard let node = value(key) else { return nil }
        guard let sequence = node.sequence else { throw ConfigurationError("\(name(key))\(Section.line(node)) must be a list") }
        return Array(sequence)
    }

    func strings(_ key: String) throws(ConfigurationError) -> [String]? {
        guard let nodes = try sequence(key) else { return nil }
        return try nodes.map { node throws(ConfigurationError) in
            guard let scalar = node.scalar else { throw ConfigurationError("\(name(key))\(Section.line(node)) must be a list of strings") }
            return scalar.string
        }
    }
}
