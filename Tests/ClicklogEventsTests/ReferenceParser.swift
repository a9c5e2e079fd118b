import ClicklogEvents
import Foundation

/// The protocol's rules applied to what Foundation's `JSONSerialization` reads: a slow, plain
/// reference for the differential test of `MessageParser`.
enum ReferenceVerdict: Equatable {
    case refused(MessageError.Kind)
    /// Per event of the message: the expected event, or `nil` when it breaks a rule.
    case parsed([Event?])
}

struct ReferenceParser {
    var limits = EventLimits()
    var now = testNow

    func verdict(_ bytes: [UInt8]) -> ReferenceVerdict {
        if bytes.count > limits.maxMessageBytes { return .refused(.tooLarge) }
        guard let object = try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed]) else {
            return .refused(.syntax)
        }
        guard let dict = object as? [String: Any] else { return .refused(.notAMessage) }
        guard dict["events"] != nil else { return .parsed([event(dict, sentAt: nil)]) }
        for (key, value) in dict where key != "events" {
            guard key == "seq" || key == "sent_at", value is NSNull || integer(value) != nil else { return .refused(.notAMessage) }
        }
        guard let events = dict["events"] as? [Any] else { return .refused(.notAMessage) }
        if events.count > limits.maxEventsPerMessage { return .refused(.tooManyEvents) }
        let sentAt = dict["sent_at"].flatMap { integer($0) }
        return .parsed(events.map { ($0 as? [String: Any]).flatMap { event($0, sentAt: sentAt) } })
    }

    func isBool(_ v: Any) -> Bool {
        guard let n = v as? NSNumber, !(v is NSDecimalNumber) else { return false }
        return String(cString: n.objCType) == "c"
    }

    func integer(_ v: Any) -> Int64? {
        guard let n = v as? NSNumber, !isBool(v) else { return nil }
        if v is NSDecimalNumber { return Int64(exactly: n.doubleValue) }
        let type = String(cString: n.objCType)
        if type == "Q" { return n.uint64Value <= UInt64(Int64.max) ? Int64(n.uint64Value) : nil }
        if type == "d" || type == "f" {
            let d = n.doubleValue
            guard d.isFinite, d == d.rounded(), d >= -9.223372036854775808e18, d < 9.223372036854775808e18 else { return nil }
            return Int64(d)
        }
        return n.int64Value
    }

    func string(_ d: [String: Any], _ key: String, _ lengths: ClosedRange<Int>, required: Bool = false) -> (ok: Bool, value: String?) {
        guard let v = d[key], !(v is NSNull) else { return (!required, nil) }
        guard let s = v as? String, lengths.contains(s.utf8.count) else { return (false, nil) }
        return (true, s)
    }

    func timestamp(_ v: Any?) -> Int64? {
        guard let v else { return nil }
        if let s = v as? String { return rfc3339(s) }
        if v is NSNumber { return integer(v) }
        return nil
    }

    /// RFC 3339 through Foundation's calendar, independent of the parser's own arithmetic.
    func rfc3339(_ s: String) -> Int64? {
        let pattern = #"^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$"#
        guard let m = try! NSRegularExpression(pattern: pattern).firstMatch(in: s, range: NSRange(s.startIndex..., in: s)) else { return nil }
        func group(_ i: Int) -> String? { Range(m.range(at: i), in: s).map { String(s[$0]) } }
        let n = (1...6).map { Int(group($0)!)! }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        guard (1...12).contains(n[1]), n[3] <= 23, n[4] <= 59, n[5] <= 60,
            let first = calendar.date(from: DateComponents(year: n[0], month: n[1], day: 1)),
            let days = calendar.range(of: .day, in: .month, for: first), days.contains(n[2]),
            let date = calendar.date(from: DateComponents(year: n[0], month: n[1], day: n[2], hour: n[3], minute: n[4], second: 0))
        else { return nil }
        var millis = Int64(date.timeIntervalSince1970) * 1000 + Int64(n[5]) * 1000
        if let fraction = group(7) { millis += Int64((fraction.dropFirst() + "000").prefix(3))! }
        let zone = group(8)!
        if zone.count == 6 {
            let minutes = Int64(zone.dropFirst().prefix(2))! * 60 + Int64(zone.suffix(2))!
            millis -= (zone.first == "-" ? -minutes : minutes) * 60_000
        }
        return millis
    }

    func event(_ d: [String: Any], sentAt: Int64?) -> Event? {
        guard depth(d) <= limits.maxDepth else { return nil }
        let e = string(d, "event", 1...128, required: true)
        let a = string(d, "anonymous_id", 1...128, required: true)
        let fields = [("id", 1...64), ("user_id", 0...256), ("session_id", 0...128), ("url", 0...8192),
                      ("referrer", 0...8192), ("title", 0...8192), ("selector", 0...1024), ("text", 0...1024)]
        var values: [String: String] = [:]
        for (key, lengths) in fields {
            let r = string(d, key, lengths)
            guard r.ok else { return nil }
            values[key] = r.value
        }
        guard e.ok, a.ok, let ts = timestamp(d["ts"]), ts >= limits.minTimestampMillis, ts <= now + limits.maxFutureMillis
        else { return nil }
        var xy: [Int64?] = []
        for key in ["x", "y"] {
            guard let v = d[key], !(v is NSNull) else { xy.append(nil); continue }
            guard let i = integer(v) else { return nil }
            xy.append(i)
        }
        var props: [Event.Prop] = []
        let known = Set(["event", "ts", "anonymous_id", "x", "y", "props"] + fields.map(\.0))
        if let p = d["props"], !(p is NSNull) {
            guard let p = p as? [String: Any], flatten(p, prefix: nil, into: &props) else { return nil }
        }
        for (key, value) in d where !known.contains(key) {
            guard flatten([key: value], prefix: nil, into: &props) else { return nil }
        }
        guard props.count <= limits.maxProps, Set(props.map(\.key)).count == props.count else { return nil }
        return Event(
            event: e.value!, ts: ts, anonymousID: a.value!, id: values["id"], userID: values["user_id"],
            sessionID: values["session_id"], url: values["url"], referrer: values["referrer"], title: values["title"],
            selector: values["selector"], text: values["text"], x: xy[0], y: xy[1], props: props,
            receivedAt: testEnrichment.receivedAt, site: testEnrichment.site, userAgent: testEnrichment.userAgent,
            ip: testEnrichment.ip, sentAt: sentAt)
    }

    /// Props keep Foundation's values; the comparison normalises numbers and arrays.
    func flatten(_ d: [String: Any], prefix: String?, into props: inout [Event.Prop]) -> Bool {
        for (key, value) in d {
            let name = prefix.map { $0 + "." + key } ?? key
            switch value {
            case let nested as [String: Any]:
                guard flatten(nested, prefix: name, into: &props) else { return false }
            case let array as [Any]:
                let text = String(decoding: try! JSONSerialization.data(withJSONObject: array, options: [.fragmentsAllowed]), as: UTF8.self)
                props.append(Event.Prop(key: name, kind: .array, value: text))
            case let s as String:
                props.append(Event.Prop(key: name, kind: .string, value: s))
            case is NSNull:
                props.append(Event.Prop(key: name, kind: .null, value: ""))
            case let n as NSNumber:
                if isBool(n) {
                    props.append(Event.Prop(key: name, kind: n.boolValue ? .true : .false, value: ""))
                } else {
                    props.append(Event.Prop(key: name, kind: .number, value: n.description))
                }
            default:
                return false
            }
        }
        return true
    }

    /// Nesting depth of containers, the value itself counting 1.
    func depth(_ v: Any) -> Int {
        if let d = v as? [String: Any] { return 1 + (d.values.map(depth).max() ?? 0) }
        if let a = v as? [Any] { return 1 + (a.map(depth).max() ?? 0) }
        return 0
    }
}

/// Whether two events agree, reading props the way the reference does (numbers by value,
/// arrays as parsed JSON, order ignored because Foundation's dictionaries have none).
func sameEvent(_ ours: Event, _ reference: Event) -> Bool {
    var a = ours, b = reference
    a.props = []
    b.props = []
    guard a == b, ours.props.count == reference.props.count else { return false }
    let theirs = Dictionary(uniqueKeysWithValues: reference.props.map { ($0.key, $0) })
    for p in ours.props {
        guard let r = theirs[p.key], r.kind == p.kind else { return false }
        switch p.kind {
        case .number:
            let sameDecimal = Decimal(string: p.value).flatMap { x in Decimal(string: r.value).map { x == $0 } } ?? false
            guard sameDecimal || Double(p.value) == Double(r.value) else { return false }
        case .array:
            let x = try? JSONSerialization.jsonObject(with: Data(p.value.utf8), options: [.fragmentsAllowed]) as? NSArray
            let y = try? JSONSerialization.jsonObject(with: Data(r.value.utf8), options: [.fragmentsAllowed]) as? NSArray
            guard let x, let y, x.isEqual(y) else { return false }
        default:
            guard p.value == r.value else { return false }
        }
    }
    return true
}
