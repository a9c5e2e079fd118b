import NIOHTTP1

/// Decides, from the request head alone, whether a client may send events: the WebSocket
/// upgrade of `/v1/ws` and each `POST /v1/events` (protocol.md, "Sites and origins").
///
/// Checked in this order, so the answer names the first thing to fix: the site key (401),
/// the `Origin` (403), then for WebSockets the subprotocol (400). Pure: the upgrader and the
/// HTTP handler both call it, and tests call it without a server.
struct HandshakePolicy: Sendable {
    /// The subprotocol of this protocol version.
    static let subprotocol = "clicklog.v1"

    struct Accepted: Equatable {
        var site: Site
        /// The subprotocol to select in the 101 response (`nil` when the client offered none).
        var subprotocol: String?
    }

    var sites: [String: Site]

    init(sites: [Site]) {
        self.sites = Dictionary(sites.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// Checks the site key and origin of a request for `target` with `headers`; for a
    /// WebSocket upgrade also the offered subprotocols.
    func evaluate(target: RequestTarget, headers: HTTPHeaders, webSocket: Bool) -> Result<Accepted, IngestError> {
        guard let key = target.queryValue("site"), !key.isEmpty else { return .failure(.missingSite) }
        guard let site = sites[key] else { return .failure(.unknownSite(key)) }
        let origins = headers["origin"]
        if origins.count > 1 { return .failure(.badRequest("more than one Origin header")) }
        guard site.allows(origin: origins.first) else {
            if let origin = origins.first { return .failure(.originNotAllowed(origin, site: site.key)) }
            return .failure(.originMissing(site: site.key))
        }
        guard webSocket else { return .success(Accepted(site: site, subprotocol: nil)) }
        let offered = headers[canonicalForm: "sec-websocket-protocol"].map { $0.trimmingCharacters(in: " \t") }
            .filter { !$0.isEmpty }
        if offered.isEmpty { return .success(Accepted(site: site, subprotocol: nil)) }
        guard offered.contains(HandshakePolicy.subprotocol) else {
            return .failure(.subprotocolRefused(offered: offered.joined(separator: ", ")))
        }
        return .success(Accepted(site: site, subprotocol: HandshakePolicy.subprotocol))
    }
}

extension Substring {
    func trimmingCharacters(in set: String) -> String {
        String(drop(while: { set.contains($0) }).reversed().drop(while: { set.contains($0) }).reversed())
    }
}
