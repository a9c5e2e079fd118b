import ClicklogEvents
import ClicklogGenerator
import Foundation
import Testing

/// Every generated event obeys protocol.md's "Event" table, checked field by field on
/// Foundation's parse of the bytes.
@Suite struct GeneratedEventSchemaTests {
    static let knownFields: Set<String> = [
        "event", "ts", "anonymous_id", "id", "user_id", "session_id", "url", "referrer", "title",
        "selector", "text", "x", "y", "props",
    ]

    @Test func everyLineIsOneEventObeyingTheProtocol() throws {
        let limits = EventLimits()
        let window = GeneratedTraffic.options.window
        var problems: [String] = []
        for (n, event) in GeneratedTraffic.objects.enumerated() where problems.count < 10 {
            let issues = Self.violations(of: event, limits: limits, window: window)
            if !issues.isEmpty {
                problems.append("line \(n + 1): \(issues) in \(String(decoding: GeneratedTraffic.lines[n], as: UTF8.self))")
            }
        }
        #expect(problems.isEmpty, "\(problems)")
        #expect(GeneratedTraffic.lines.allSatisfy { $0.count < limits.maxMessageBytes })
    }

    @Test func eventIDsAreUniqueVersion4UUIDs() {
        let ids = GeneratedTraffic.events.map(\.id)
        #expect(Set(ids).count == ids.count)
        #expect(ids.allSatisfy(Self.isUUIDv4))
        #expect(GeneratedTraffic.byVisitor.keys.allSatisfy(Self.isUUIDv4))
        #expect(GeneratedTraffic.events.compactMap(\.sessionID).allSatisfy(Self.isUUIDv4))
    }

    @Test func timestampsNeverDecrease() {
        let ts = GeneratedTraffic.events.map(\.ts)
        #expect(zip(ts, ts.dropFirst()).allSatisfy { $0 <= $1 })
    }

    @Test func eachEventKindCarriesItsFields() {
        var kinds: [String: Int] = [:]
        for e in GeneratedTraffic.events { kinds[e.event, default: 0] += 1 }
        for kind in ["page_view", "click", "add_to_cart", "begin_checkout", "purchase", "search", "login"] {
            #expect(kinds[kind, default: 0] > 0, "no \(kind) in \(kinds)")
        }
        #expect(kinds.count == 7, "\(kinds)")
        // Page views are the most common event, then clicks.
        #expect(kinds["page_view"]! > kinds["click"]!)
        #expect(kinds["click"]! > kinds["add_to_cart"]! + kinds["search"]!)

        let purchases = GeneratedTraffic.events.filter { $0.event == "purchase" }
        #expect(purchases.allSatisfy { $0.props["currency"] == "EUR" && $0.props["order_id"] != nil })
        #expect(Set(purchases.map { $0.props["order_id"]! }).count == purchases.count)
        let carts = GeneratedTraffic.events.filter { $0.event == "add_to_cart" }
        #expect(carts.allSatisfy { $0.path == "/product/\($0.props["product_id"]!)" })
    }

    @Test func propsUseEveryValueType() {
        // Over the fixture: strings, numbers, booleans, null, a nested object and an array.
        var seen: Set<String> = []
        for event in GeneratedTraffic.objects {
            guard let props = event["props"] as? [String: Any] else { continue }
            for value in props.values {
                switch value {
                case is String: seen.insert("string")
                case is NSNull: seen.insert("null")
                case is [String: Any]: seen.insert("object")
                case is [Any]: seen.insert("array")
                case let v where JSONObject.isBool(v): seen.insert("bool")
                case let v where JSONObject.isNumber(v): seen.insert("number")
                default: seen.insert("other")
                }
            }
        }
        #expect(seen == ["string", "number", "bool", "null", "object", "array"])
    }

    @Test func searchQueriesNeedingEscapesRoundTrip() throws {
        let queries = Set(GeneratedTraffic.events.filter { $0.event == "search" }.compactMap { $0.props["q"] })
        #expect(queries.contains(#"café "deals""#))
        #expect(queries.contains(#"3\4 sleeve"#))
        #expect(queries.contains("größe 42"))
        // The results page URL carries the query form-encoded, its title the query itself.
        let page = try #require(GeneratedTraffic.objects.first {
            ($0["url"] as? String)?.hasSuffix("?q=caf%C3%A9+%22deals%22") == true && $0["event"] as? String == "page_view"
        })
        #expect(page["title"] as? String == "Search results for “café \"deals\"” – Demo Shop")
    }

    @Test func theIngestParserAcceptsEveryEvent() throws {
        var parser = MessageParser()
        var batch = EventBatch()
        var filter = AdmitAll()
        let now = GeneratedTraffic.options.window.upperBound
        var accepted = 0
        var rejections: [String] = []
        for line in GeneratedTraffic.lines {
            let summary = try line.withUnsafeBytes {
                try parser.parse($0, now: now, enrichment: Enrichment(receivedAt: now * 1000, site: "demo"), into: &batch, filter: &filter)
            }
            accepted += summary.accepted
            rejections += summary.rejections.map(\.description)
        }
        #expect(rejections.isEmpty, "\(rejections.prefix(5))")
        #expect(accepted == GeneratedTraffic.events.count)
    }

    /// What is wrong with one parsed event, by protocol.md's rules; empty when nothing.
    static func violations(of e: [String: Any], limits: EventLimits, window: Range<Int64>) -> [String] {
        var issues: [String] = []
        func string(_ key: String, _ bytes: ClosedRange<Int>, required: Bool = false) {
            guard let value = e[key] else {
                if required { issues.append("\(key) missing") }
                return
            }
            guard let s = value as? String else { return issues.append("\(key) not a string") }
            if !bytes.contains(s.utf8.count) { issues.append("\(key) has \(s.utf8.count) bytes") }
        }
        string("event", 1...128, required: true)
        string("anonymous_id", 1...128, required: true)
        string("id", 1...64, required: true)
        string("user_id", 0...256)
        string("session_id", 0...128, required: true)
        for key in ["url", "referrer", "title"] { string(key, 0...8192) }
        for key in ["selector", "text"] { string(key, 0...1024) }
        if let ts = JSONObject.integer(e["ts"]) {
            if ts < limits.minTimestampMillis || !window.contains(ts) { issues.append("ts \(ts) outside the window") }
        } else {
            issues.append("ts not an integer")
        }
        for key in ["x", "y"] where e[key] != nil && JSONObject.integer(e[key]) == nil {
            issues.append("\(key) not an integer")
        }
        if let unknown = Set(e.keys).subtracting(knownFields).first { issues.append("unknown field \(unknown)") }
        if let props = e["props"] {
            if let props = props as? [String: Any] {
                let count = flattenedCount(props)
                if count > limits.maxProps || count == 0 { issues.append("\(count) props") }
            } else {
                issues.append("props not an object")
            }
        }
        switch e["event"] as? String {
        case "page_view":
            for key in ["url", "referrer", "title"] where e[key] == nil { issues.append("page_view without \(key)") }
        case "click":
            for key in ["url", "selector", "x", "y"] where e[key] == nil { issues.append("click without \(key)") }
        case "login":
            if e["user_id"] == nil { issues.append("login without user_id") }
            fallthrough
        default:
            if e["props"] == nil { issues.append("custom event without props") }
        }
        return issues
    }

    /// Properties after the protocol's flattening of nested objects (arrays count as one).
    static func flattenedCount(_ object: [String: Any]) -> Int {
        object.values.reduce(0) { $0 + (($1 as? [String: Any]).map(flattenedCount) ?? 1) }
    }

    static func isUUIDv4(_ s: String) -> Bool {
        let bytes = Array(s.utf8)
        guard bytes.count == 36 else { return false }
        for (i, b) in bytes.enumerated() {
            switch i {
            case 8, 13, 18, 23: if b != UInt8(ascii: "-") { return false }
            case 14: if b != UInt8(ascii: "4") { return false }
            case 19: if !"89ab".utf8.contains(b) { return false }
            default: if !"0123456789abcdef".utf8.contains(b) { return false }
            }
        }
        return true
    }
}
