import ClicklogEvents
import NIOHTTP1

/// What the server adds to every event of a connection (protocol.md, last paragraph): the
/// site it authenticated as, its user agent, and its address as `--ip-mode` keeps it.
/// Computed once at the handshake.
struct ConnectionSession: Sendable, Equatable {
    var site: String
    var userAgent: String?
    var ip: String?

    /// Longest user agent kept, bytes: real ones are under 300; the cap bounds what a client
    /// can make every one of its events carry.
    static let maxUserAgentBytes = 512

    init(site: String, userAgent: String?, ip: String?) {
        self.site = site
        self.userAgent = userAgent
        self.ip = ip
    }

    init(site: Site, headers: HTTPHeaders, peer: String?, ipMode: IPMode, proxies: TrustedProxies) {
        self.site = site.key
        userAgent = headers.first(name: "user-agent").map(ConnectionSession.truncated)
        let client = proxies.clientAddress(peer: peer, forwardedFor: headers["x-forwarded-for"])
        ip = client.flatMap { ipMode.apply(to: $0) }
    }

    func enrichment(receivedAt: Int64) -> Enrichment {
        Enrichment(receivedAt: receivedAt, site: site, userAgent: userAgent, ip: ip)
    }

    private static func truncated(_ value: String) -> String {
        guard value.utf8.count > maxUserAgentBytes else { return value }
        var kept = String.UnicodeScalarView()
        var bytes = 0
        for scalar in value.unicodeScalars {
            bytes += UTF8.width(scalar)
            if bytes > maxUserAgentBytes { break }
            kept.append(scalar)
        }
        return String(kept)
    }
}

extension Ack {
    /// The ack of a message `ShardState.ingest` handled (never `.tooLarge` or `.invalidUTF8`,
    /// which are not acked).
    init(_ outcome: IngestOutcome, queue: inout AckQueue) {
        switch outcome {
        case .parsed(let summary):
            self.init(
                number: queue.number(seq: summary.seq),
                outcome: .counts(
                    accepted: summary.accepted, duplicates: summary.duplicates,
                    rejected: summary.rejections.map { Rejected(index: $0.index, error: $0.description) }))
        case .refused(let error):
            self.init(number: queue.number(seq: nil), outcome: .error(error.description))
        case .tooLarge:
            self.init(number: queue.number(seq: nil), outcome: .error("message too large"))
        case .invalidUTF8:
            self.init(number: queue.number(seq: nil), outcome: .error("message is not UTF-8"))
        }
    }
}
