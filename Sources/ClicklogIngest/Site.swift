/// A site that may send events: its public key (`?site=KEY`) and who may send for it.
public struct Site: Sendable, Equatable {
    /// The public key, also stored with every event as `site`.
    public var key: String
    /// Origins allowed to send (browser pages). Checked against the `Origin` header.
    public var origins: [OriginRule]
    /// Whether a request without an `Origin` header is allowed: true for server-to-server
    /// senders (browsers always send one on WebSocket upgrades and cross-origin POSTs).
    public var allowsMissingOrigin: Bool

    public init(key: String, origins: [OriginRule], allowsMissingOrigin: Bool = false) {
        self.key = key
        self.origins = origins
        self.allowsMissingOrigin = allowsMissingOrigin
    }

    /// The embedded default: `demo`, for pages served from this machine.
    public static let demo = Site(
        key: "demo",
        origins: [OriginRule("http://localhost:*")!, OriginRule("http://127.0.0.1:*")!]
    )

    /// Whether a request with this `Origin` header value (or none) may send for the site.
    public func allows(origin: String?) -> Bool {
        guard let origin else { return allowsMissingOrigin }
        return origins.contains { $0.matches(origin) }
    }
}
