/// The top-level fields of an event on the wire, with the rules of protocol.md.
enum EventField: Int, CaseIterable {
    case event, ts, anonymousID, id, userID, sessionID, url, referrer, title, selector, text, x, y, props

    /// Finds the field a key names, comparing the raw key bytes.
    static func named(_ key: UnsafeRawBufferPointer) -> EventField? {
        // Names are at most 12 bytes: a loop the compiler unrolls beats a call to memcmp.
        func eq(_ name: StaticString) -> Bool {
            guard key.count == name.utf8CodeUnitCount else { return false }
            let n = name.utf8Start
            for i in 0..<key.count where key[i] != n[i] { return false }
            return true
        }
        switch key.count {
        case 1: return eq("x") ? .x : eq("y") ? .y : nil
        case 2: return eq("ts") ? .ts : eq("id") ? .id : nil
        case 3: return eq("url") ? .url : nil
        case 4: return eq("text") ? .text : nil
        case 5: return eq("event") ? .event : eq("title") ? .title : eq("props") ? .props : nil
        case 7: return eq("user_id") ? .userID : nil
        case 8: return eq("referrer") ? .referrer : eq("selector") ? .selector : nil
        case 10: return eq("session_id") ? .sessionID : nil
        case 12: return eq("anonymous_id") ? .anonymousID : nil
        default: return nil
        }
    }

    var name: String {
        switch self {
        case .event: "event"
        case .ts: "ts"
        case .anonymousID: "anonymous_id"
        case .id: "id"
        case .userID: "user_id"
        case .sessionID: "session_id"
        case .url: "url"
        case .referrer: "referrer"
        case .title: "title"
        case .selector: "selector"
        case .text: "text"
        case .x: "x"
        case .y: "y"
        case .props: "props"
        }
    }

    /// Allowed byte lengths of a string field.
    var lengths: ClosedRange<Int> {
        switch self {
        case .event, .anonymousID: 1...128
        case .id: 1...64
        case .userID: 0...256
        case .sessionID: 0...128
        case .url, .referrer, .title: 0...8192
        case .selector, .text: 0...1024
        case .ts, .x, .y, .props: 0...0
        }
    }

    static let required: [EventField] = [.event, .ts, .anonymousID]
}
