import ClicklogGenerator
import Foundation

/// The traffic most tests look at: 100 000 events over a week, generated and parsed once per
/// test run (with Foundation's JSONSerialization, independent of the generator's writer).
enum GeneratedTraffic {
    static let options = GeneratorOptions(events: 100_000, seed: 42, days: 7)
    /// Each line without its newline.
    static let lines: [[UInt8]] = {
        var generator = try! TrafficGenerator(options)
        var lines: [[UInt8]] = []
        var line: [UInt8] = []
        while generator.nextLine(into: &line) {
            line.removeLast()
            lines.append(line)
            line = []
        }
        return lines
    }()
    /// Foundation's parse of each line. Never mutated, so safe to share between tests.
    nonisolated(unsafe) static let objects: [[String: Any]] = lines.map { try! JSONObject.parse($0) }
    static let events: [ParsedEvent] = objects.map(ParsedEvent.init(json:))
    /// Each visitor's events in order, by anonymous id.
    static let byVisitor: [String: [ParsedEvent]] = Dictionary(grouping: events, by: \.anonymousID)
}

/// JSONSerialization's view of one JSON object.
enum JSONObject {
    static func parse(_ bytes: some Collection<UInt8>) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(bytes), options: [])
        guard let dictionary = object as? [String: Any] else {
            throw CocoaError(.propertyListReadCorrupt, userInfo: [NSDebugDescriptionErrorKey: "not an object"])
        }
        return dictionary
    }

    /// A JSON integer: a number written without fraction or exponent (Foundation types it as
    /// an integer, not a double or a boolean).
    static func integer(_ value: Any?) -> Int64? {
        guard let number = value as? NSNumber, !["c", "d", "f"].contains(objCType(number)) else { return nil }
        return number.int64Value
    }

    static func isBool(_ value: Any?) -> Bool {
        (value as? NSNumber).map { objCType($0) == "c" } ?? false
    }

    static func isNumber(_ value: Any?) -> Bool {
        (value as? NSNumber).map { objCType($0) != "c" } ?? false
    }

    private static func objCType(_ number: NSNumber) -> String {
        String(cString: number.objCType)
    }
}

/// The fields of a generated event the tests reason about.
struct ParsedEvent: Sendable {
    var event: String
    var ts: Int64
    var anonymousID: String
    var id: String
    var userID: String?
    var sessionID: String?
    var url: String?
    var path: String?
    var selector: String?
    var props: [String: String]

    init(json: [String: Any]) {
        event = json["event"] as? String ?? ""
        ts = JSONObject.integer(json["ts"]) ?? 0
        anonymousID = json["anonymous_id"] as? String ?? ""
        id = json["id"] as? String ?? ""
        userID = json["user_id"] as? String
        sessionID = json["session_id"] as? String
        url = json["url"] as? String
        path = url.map(Self.path(of:))
        selector = json["selector"] as? String
        props = (json["props"] as? [String: Any] ?? [:]).mapValues { "\($0)" }
    }

    /// The path of an absolute URL: after the host, before any query or fragment.
    static func path(of url: String) -> String {
        let bytes = Array(url.utf8)
        var start = 0
        var slashes = 0
        while start < bytes.count, slashes < 3 {
            if bytes[start] == UInt8(ascii: "/") { slashes += 1 }
            start += 1
        }
        var end = start
        while end < bytes.count, bytes[end] != UInt8(ascii: "?"), bytes[end] != UInt8(ascii: "#") { end += 1 }
        return "/" + String(decoding: bytes[start..<end], as: UTF8.self)
    }
}
