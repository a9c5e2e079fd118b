import Foundation
import Testing
@testable import ClicklogIngest

@Suite struct ConfigurationTests {
    @Test func defaultsAreTheEmbeddedDemoSite() {
        let configuration = ServerConfiguration()
        #expect(configuration.host == "127.0.0.1")
        #expect(configuration.port == 8080)
        #expect(configuration.dataDirectory == "./data")
        #expect(configuration.sites == [.demo])
        #expect(configuration.limits.events.maxMessageBytes == 1 << 20)
        #expect(configuration.limits.events.maxEventsPerMessage == 1000)
        #expect(configuration.deduplicationWindow == .seconds(86_400))
        #expect(configuration.permessageDeflate)
    }

    @Test func exampleFileLoads() throws {
        let path = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("tools/clicklog.example.yaml").path
        let configuration = try ServerConfiguration.load(path: path)
        #expect(configuration.sites.map(\.key) == ["demo", "shop-4f7a2c", "backend-9d31"])
        #expect(configuration.sites[1].allows(origin: "https://www.shop.example"))
        #expect(!configuration.sites[1].allows(origin: nil))
        #expect(configuration.sites[2].allows(origin: nil))
        #expect(configuration.ipMode == .anonymized)
        #expect(configuration.trustedProxies.contains("127.0.0.1"))
        #expect(configuration.limits.maxConnections == 10_000)
        #expect(configuration.groupCommit.maxDelay == .milliseconds(10))
    }

    @Test func settingsOverrideDefaults() throws {
        var configuration = ServerConfiguration()
        try configuration.apply(yaml: """
            listen: {host: 0.0.0.0, port: 9000}
            ip_mode: none
            sites:
              - key: s1
                origins: ["*"]
            limits:
              max_message_bytes: 65536
              idle_timeout_seconds: 30
            group_commit:
              max_block_events: 5000
              max_delay_ms: 5
              min_eager_events: 64
            deduplication: {window_hours: 48, max_ids: 2000000}
            permessage_deflate: false
            """)
        #expect(configuration.host == "0.0.0.0")
        #expect(configuration.port == 9000)
        #expect(configuration.ipMode == IPMode.none)
        #expect(configuration.sites.map(\.key) == ["s1"])
        #expect(configuration.limits.events.maxMessageBytes == 65536)
        #expect(configuration.limits.idleTimeout == .seconds(30))
        #expect(configuration.groupCommit.maxBlockEvents == 5000)
        #expect(configuration.groupCommit.maxDelay == .milliseconds(5))
        #expect(configuration.groupCommit.minEagerEvents == 64)
        #expect(configuration.deduplicationWindow == .seconds(48 * 3600))
        #expect(!configuration.permessageDeflate)
        #expect(configuration.deduplicationMaxIDs == 2_000_000)
    }

    @Test func unknownKeysAndBadValuesAreErrorsThatNameThem() {
        func error(_ yaml: String) -> String {
            var configuration = ServerConfiguration()
            do {
                try configuration.apply(yaml: yaml)
                return "no error"
            } catch {
                return error.description
            }
        }
        #expect(error("limits:\n  max_conections: 5\n").contains("unknown key max_conections in limits (line 2)"))
        #expect(error("limits:\n  max_connections: -1\n").contains("limits.max_connections (line 2) must be an integer from 1"))
        #expect(error("ip_mode: partial\n").contains("ip_mode must be full, anonymized or none"))
        #expect(error("sites:\n  - key: a\n    origins: [\"shop.example\"]\n").contains("origin shop.example of site a"))
        #expect(error("sites:\n  - key: a\n  - key: a\n").contains("site key a appears twice"))
        #expect(error("tls:\n  certificate: c.pem\n").contains("needs both certificate and key"))
        #expect(error("listen: [1, 2]\n").contains("listen (line 1) must be a mapping"))
        #expect(error("").contains("no error"))
    }
}
