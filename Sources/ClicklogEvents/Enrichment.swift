/// What the receiver adds to every event of a message: the spec's server-side fields.
public struct Enrichment: Sendable {
    /// When the message was received, epoch microseconds.
    public var receivedAt: Int64
    /// The site key the connection authenticated with.
    public var site: String
    public var userAgent: String?
    /// The client address, already anonymised as configured (see `IPAnonymizer`).
    public var ip: String?

    public init(receivedAt: Int64, site: String, userAgent: String? = nil, ip: String? = nil) {
        self.receivedAt = receivedAt
        self.site = site
        self.userAgent = userAgent
        self.ip = ip
    }
}
