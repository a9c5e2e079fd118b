import ClicklogEvents
import ClicklogStorage
import ClicklogTestSupport
import Foundation
import NIOSSL
import Testing
@testable import ClicklogIngest

/// POST /v1/events, CORS, the static routes, /healthz, /metrics and TLS, over real sockets.
@Suite(.serialized, .timeLimit(.minutes(1)))
struct HTTPEndToEndTests {
    let origin = ("Origin", "http://localhost:5173")

    @Test func beaconPostIsAckedWithCORSHeaders() async throws {
        let server = try TestServer.start()
        defer { server.stop() }
        let response = try await httpRequest(
            port: server.port, method: "POST", path: "/v1/events?site=demo",
            headers: [origin, ("Content-Type", "text/plain;charset=UTF-8")],
            body: Array(batchMessage(seq: 12, ids: ["b1", "b2"], badTsAt: [1]).utf8))
        #expect(response.status == 200)
        #expect(response.text == #"{"ack": 12, "accepted": 1, "duplicates": 0, "rejected": [{"index": 1, "error": "ts: not a number or RFC 3339 time"}]}"#)
        #expect(response.header("access-control-allow-origin") == "http://localhost:5173")
        #expect(response.header("access-control-allow-credentials") == "true")
        #expect(response.header("vary") == "Origin")
        var rows = 0
        try LogReader(directory: server.dataPath).scan { _, batch in rows += batch.count }
        #expect(rows == 1)
    }

    @Test func jsonPostOfOneEventIsAckedAsOrdinalOne() async throws {
        let server = try TestServer.start()
        defer { server.stop() }
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let response = try await httpRequest(
            port: server.port, method: "POST", path: "/v1/events?site=demo",
            headers: [origin, ("Content-Type", "application/json")],
            body: Array(#"{"event":"signup","ts":\#(now),"anonymous_id":"z","id":"j1"}"#.utf8))
        #expect(response.text == #"{"ack": 1, "accepted": 1, "duplicates": 0, "rejected": []}"#)
    }

    @Test func preflightIsAnsweredForAllowedOrigins() async throws {
        let server = try TestServer.start()
        defer { server.stop() }
        let allowed = try await httpRequest(
            port: server.port, method: "OPTIONS", path: "/v1/events?site=demo",
            headers: [origin, ("Access-Control-Request-Method", "POST"), ("Access-Control-Request-Headers", "content-type")])
        #expect(allowed.status == 204)
        #expect(allowed.header("access-control-allow-origin") == "http://localhost:5173")
        #expect(allowed.header("access-control-allow-methods") == "POST")
        #expect(allowed.header("access-control-allow-headers") == "Content-Type")
        #expect(allowed.header("access-control-max-age") == "86400")
        let refused = try await httpRequest(
            port: server.port, method: "OPTIONS", path: "/v1/events?site=demo",
            headers: [("Origin", "https://elsewhere.example"), ("Access-Control-Request-Method", "POST")])
        #expect(refused.status == 403)
        #expect(refused.header("access-control-allow-origin") == nil)
    }

    @Test func postRefusals() async throws {
        let server = try TestServer.start { $0.limits.events.maxMessageBytes = 2000 }
        defer { server.stop() }
        let body = Array(batchMessage(seq: 1, ids: ["r"]).utf8)
        let plain = ("Content-Type", "text/plain")
        #expect(try await httpRequest(port: server.port, method: "POST", path: "/v1/events?site=nope", headers: [origin, plain], body: body).status == 401)
        #expect(try await httpRequest(port: server.port, method: "POST", path: "/v1/events", headers: [origin, plain], body: body).status == 401)
        #expect(try await httpRequest(port: server.port, method: "POST", path: "/v1/events?site=demo", headers: [("Origin", "http://evil"), plain], body: body).status == 403)
        #expect(try await httpRequest(port: server.port, method: "POST", path: "/v1/events?site=demo", headers: [origin, ("Content-Type", "application/x-www-form-urlencoded")], body: body).status == 415)
        let large = try await httpRequest(port: server.port, method: "POST", path: "/v1/events?site=demo", headers: [origin, plain], body: Array(repeating: 0x20, count: 3000))
        #expect(large.status == 413)
        let malformed = try await httpRequest(port: server.port, method: "POST", path: "/v1/events?site=demo", headers: [origin, plain], body: Array("{\"seq\": 1, \"events\": [".utf8))
        #expect(malformed.status == 400)
        #expect(try ackFields(malformed.text)["error"] != nil)
        #expect(try await httpRequest(port: server.port, method: "GET", path: "/v1/events?site=demo").status == 405)
        #expect(try await eventually { server.server.metricsText().contains(#"clicklog_limit_hits_total{kind="message_bytes"} 1"#) })
    }

    @Test func snippetIsServedWithCacheHeadersAndETag() async throws {
        let server = try TestServer.start()
        defer { server.stop() }
        let response = try await httpRequest(port: server.port, path: "/c.js")
        #expect(response.status == 200)
        #expect(response.header("content-type") == "text/javascript; charset=utf-8")
        #expect(response.header("cache-control") == "public, max-age=300")
        #expect(response.text.contains("Clicklog snippet"))
        let etag = try #require(response.header("etag"))
        #expect(try await httpRequest(port: server.port, path: "/c.js", headers: [("If-None-Match", etag)]).status == 304)
        // Without --demo the shop is not served.
        #expect(try await httpRequest(port: server.port, path: "/").status == 404)
    }

    @Test func demoShopIsServedWithTheREADMEsPathMapping() async throws {
        let server = try TestServer.start { $0.demo = true }
        defer { server.stop() }
        let home = try await httpRequest(port: server.port, path: "/")
        #expect(home.status == 200)
        #expect(home.header("content-type") == "text/html; charset=utf-8")
        #expect(try await httpRequest(port: server.port, path: "/product/1").status == 200)
        #expect(try await httpRequest(port: server.port, path: "/shop.js").header("content-type") == "text/javascript; charset=utf-8")
        #expect(try await httpRequest(port: server.port, path: "/order/confirmed?order=7").status == 200)
        #expect(try await httpRequest(port: server.port, path: "/product/../index.html").status == 404)
        #expect(try await httpRequest(port: server.port, path: "/product//1").status == 404)
        #expect(try await httpRequest(port: server.port, path: "/nothing").status == 404)
        #expect(try await httpRequest(port: server.port, method: "HEAD", path: "/cart").status == 200)
    }

    @Test func metricsAreInPrometheusTextFormat() async throws {
        let server = try TestServer.start()
        defer { server.stop() }
        let ws = try await openWebSocket(port: server.port)
        try await ws.sendText(batchMessage(seq: 1, ids: ["m1", "m1"], badTsAt: []))
        _ = try await ws.readText()
        let response = try await httpRequest(port: server.port, path: "/metrics")
        #expect(response.status == 200)
        #expect(response.header("content-type")?.hasPrefix("text/plain; version=0.0.4") == true)
        let text = response.text
        for line in [
            #"clicklog_connections{transport="websocket"} 1.0"#,
            #"clicklog_messages_total{transport="websocket"} 1"#,
            #"clicklog_events_total{outcome="accepted"} 1"#,
            #"clicklog_events_total{outcome="duplicate"} 1"#,
            "# TYPE clicklog_commit_seconds histogram",
            #"clicklog_block_events_bucket{le="+Inf"} 1"#,
            "clicklog_writer_queue_events 0.0",
        ] {
            #expect(text.contains(line), "missing: \(line)")
        }
    }

    @Test func webSocketAndPostWorkOverTLS() async throws {
        let directory = try TemporaryDirectory("ingest-tls")
        defer { directory.remove() }
        let cert = directory.appending("cert.pem")
        let key = directory.appending("key.pem")
        let openssl = Process()
        openssl.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        openssl.arguments = [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
            "-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost",
        ]
        openssl.standardError = FileHandle.nullDevice
        openssl.standardOutput = FileHandle.nullDevice
        try openssl.run()
        openssl.waitUntilExit()
        try #require(openssl.terminationStatus == 0, "openssl could not make a certificate")

        let server = try TestServer.start { $0.tls = .init(certificatePath: cert, keyPath: key) }
        defer { server.stop() }
        var client = TLSConfiguration.makeClientConfiguration()
        client.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(cert))
        let tls = try NIOSSLContext(configuration: client)

        let ws = try await openWebSocket(port: server.port, tls: tls)
        try await ws.sendText(batchMessage(seq: 3, ids: ["t1"]))
        #expect(try ackFields(await ws.readText())["accepted"] as? Int == 1)
        let health = try await httpRequest(port: server.port, path: "/healthz", tls: tls)
        #expect(health.status == 200)
    }

    @Test func unknownPathsAnswer404WithAnErrorObject() async throws {
        let server = try TestServer.start()
        defer { server.stop() }
        let response = try await httpRequest(port: server.port, path: "/nope")
        #expect(response.status == 404)
        #expect(try ackFields(response.text)["error"] as? String == "nothing at /nope")
    }
}

@Suite(.serialized, .timeLimit(.minutes(1)))
struct HTTPLimitsTests {
    @Test func oversizedHeadersAreRefusedWith400() async throws {
        let server = try TestServer.start { $0.limits.maxHeaderBytes = 2048 }
        defer { server.stop() }
        #expect(try await httpRequest(port: server.port, path: "/healthz", headers: [("Cookie", String(repeating: "a", count: 1500))]).status == 200)
        #expect(try await httpRequest(port: server.port, path: "/healthz", headers: [("Cookie", String(repeating: "a", count: 4000))]).status == 400)
    }
}
