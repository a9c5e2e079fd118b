import NIOHTTP1
import Testing
@testable import ClicklogIngest

@Suite struct HandshakePolicyTests {
    let policy = HandshakePolicy(sites: [
        .demo,
        Site(key: "shop", origins: [OriginRule("https://shop.example")!, OriginRule("https://*.shop.example")!]),
        Site(key: "backend", origins: [], allowsMissingOrigin: true),
    ])

    func evaluate(_ uri: String, origin: String?, protocols: String? = nil, webSocket: Bool = true) -> Result<HandshakePolicy.Accepted, IngestError> {
        var headers = HTTPHeaders()
        if let origin { headers.add(name: "Origin", value: origin) }
        if let protocols { headers.add(name: "Sec-WebSocket-Protocol", value: protocols) }
        return policy.evaluate(target: RequestTarget(uri), headers: headers, webSocket: webSocket)
    }

    func status(_ result: Result<HandshakePolicy.Accepted, IngestError>) -> Int {
        switch result {
        case .success: 101
        case .failure(let error): error.httpStatus
        }
    }

    @Test func siteKeyIsCheckedFirst() {
        #expect(status(evaluate("/v1/ws", origin: "https://evil")) == 401)
        #expect(status(evaluate("/v1/ws?site=", origin: nil)) == 401)
        #expect(status(evaluate("/v1/ws?site=nope", origin: "https://shop.example")) == 401)
        #expect(status(evaluate("/v1/ws?x=1&site=sh%6Fp", origin: "https://shop.example")) == 101)
    }

    @Test func originMustBeOnTheSitesList() {
        #expect(status(evaluate("/v1/ws?site=shop", origin: "https://shop.example")) == 101)
        #expect(status(evaluate("/v1/ws?site=shop", origin: "https://www.shop.example")) == 101)
        #expect(status(evaluate("/v1/ws?site=shop", origin: "http://shop.example")) == 403)
        #expect(status(evaluate("/v1/ws?site=shop", origin: "https://evilshop.example")) == 403)
        #expect(status(evaluate("/v1/ws?site=demo", origin: "http://localhost:8080")) == 101)
        #expect(status(evaluate("/v1/ws?site=demo", origin: "http://127.0.0.1:3000")) == 101)
        #expect(status(evaluate("/v1/ws?site=demo", origin: "https://localhost:8080")) == 403)
    }

    @Test func missingOriginOnlyWhereTheSiteAllowsIt() {
        #expect(evaluate("/v1/ws?site=shop", origin: nil) == .failure(.originMissing(site: "shop")))
        #expect(status(evaluate("/v1/ws?site=backend", origin: nil)) == 101)
        #expect(status(evaluate("/v1/ws?site=backend", origin: "https://shop.example")) == 403)
    }

    @Test func subprotocolIsSelectedWhenOfferedAndRequiredWhenOthersAre() {
        #expect(evaluate("/v1/ws?site=demo", origin: "http://localhost:1", protocols: "clicklog.v1") == .success(.init(site: .demo, subprotocol: "clicklog.v1")))
        #expect(evaluate("/v1/ws?site=demo", origin: "http://localhost:1", protocols: "chat, clicklog.v1") == .success(.init(site: .demo, subprotocol: "clicklog.v1")))
        #expect(evaluate("/v1/ws?site=demo", origin: "http://localhost:1") == .success(.init(site: .demo, subprotocol: nil)))
        #expect(status(evaluate("/v1/ws?site=demo", origin: "http://localhost:1", protocols: "chat, clicklog.v2")) == 400)
        // POSTs have no subprotocol.
        #expect(status(evaluate("/v1/events?site=demo", origin: "http://localhost:1", protocols: "chat", webSocket: false)) == 101)
    }
}

@Suite struct OriginRuleTests {
    @Test func exactOriginsNormaliseTheDefaultPortAndCase() {
        let rule = OriginRule("https://Shop.Example")!
        #expect(rule.matches("https://shop.example"))
        #expect(rule.matches("https://shop.example:443"))
        #expect(!rule.matches("https://shop.example:8443"))
        #expect(!rule.matches("http://shop.example"))
        #expect(!rule.matches("https://shop.example.evil"))
    }

    @Test func wildcardPortAndSubdomains() {
        let anyPort = OriginRule("http://localhost:*")!
        #expect(anyPort.matches("http://localhost"))
        #expect(anyPort.matches("http://localhost:5173"))
        #expect(!anyPort.matches("http://localhost.evil:5173"))
        let sub = OriginRule("https://*.example.com")!
        #expect(sub.matches("https://a.b.example.com"))
        #expect(!sub.matches("https://example.com"))
        #expect(!sub.matches("https://badexample.com"))
        #expect(OriginRule("[::1]") == nil)
        #expect(OriginRule("http://[::1]:*")!.matches("http://[::1]:9000"))
    }

    @Test func starNullAndInvalidRules() {
        #expect(OriginRule("*")!.matches("https://anything.example"))
        #expect(OriginRule("null")!.matches("null"))
        #expect(!OriginRule("https://a.example")!.matches("null"))
        #expect(OriginRule("shop.example") == nil)
        #expect(OriginRule("https://shop.example/path") == nil)
        #expect(OriginRule("https://sh*p.example") == nil)
        #expect(OriginRule("https://shop.example:99999") == nil)
    }
}

@Suite struct RequestTargetTests {
    @Test func splitsAndDecodes() {
        let target = RequestTarget("/v1/ws?site=my%20site&x=a+b#frag")
        #expect(target.path == "/v1/ws")
        #expect(target.queryValue("site") == "my site")
        #expect(target.queryValue("x") == "a b")
        #expect(target.queryValue("missing") == nil)
        #expect(RequestTarget("/caf%C3%A9").path == "/café")
        #expect(RequestTarget("/bad%zz").path == nil)
        #expect(RequestTarget("/bad%FF").path == nil)
    }
}

@Suite struct TrustedProxiesTests {
    @Test func forwardedForIsIgnoredUnlessThePeerIsTrusted() throws {
        let none = TrustedProxies()
        #expect(none.clientAddress(peer: "203.0.113.9", forwardedFor: ["198.51.100.1"]) == "203.0.113.9")
        let proxies = try TrustedProxies(["10.0.0.0/8", "::1"])
        #expect(proxies.clientAddress(peer: "203.0.113.9", forwardedFor: ["198.51.100.1"]) == "203.0.113.9")
        #expect(proxies.clientAddress(peer: "10.1.2.3", forwardedFor: ["198.51.100.1"]) == "198.51.100.1")
        // The right-most untrusted hop: what the client wrote itself further left is not believed.
        #expect(proxies.clientAddress(peer: "::1", forwardedFor: ["6.6.6.6, 198.51.100.1", "10.9.9.9"]) == "198.51.100.1")
        #expect(proxies.clientAddress(peer: "10.1.2.3", forwardedFor: []) == "10.1.2.3")
        #expect(proxies.clientAddress(peer: "10.1.2.3", forwardedFor: ["garbage"]) == "10.1.2.3")
        #expect(proxies.contains("::ffff:10.0.0.1"))
        #expect(throws: ConfigurationError.self) { try TrustedProxies(["10.0.0.0/33"]) }
        #expect(throws: ConfigurationError.self) { try TrustedProxies(["proxy.local"]) }
    }
}

@Suite struct IPModeTests {
    @Test func anonymizedKeepsTheNetwork() {
        #expect(IPMode.anonymized.apply(to: "203.0.113.77") == "203.0.113.0")
        #expect(IPMode.anonymized.apply(to: "2001:db8:abcd:12::1") == "2001:db8:abcd::")
        #expect(IPMode.anonymized.apply(to: "::ffff:203.0.113.77") == "203.0.113.0")
        #expect(IPMode.full.apply(to: "203.0.113.77") == "203.0.113.77")
        #expect(IPMode.none.apply(to: "203.0.113.77") == nil)
    }
}
