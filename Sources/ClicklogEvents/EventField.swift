/// The top-level fields of an event on the wire, with the rules of protocol.md.
enum EventField: Int, CaseIterable {
    case event, ts, anonymousID, id, userID, sessionID, url, referrer, title, selector, text, x, y, props

    /// Finds the field a key names, comparing the raw key bytes.
    static func named(_ key: UnsafeRawBufferPointer) -> EventField? {
        // Names are 1 to 12 bytes: two overlapping loads of 8, 4, 2 or 1 bytes from each side
        // cover every byte, cheaper than a call to memcmp or a loop.
        func eq(_ name: StaticString) -> Bool {
            let n = name.utf8CodeUnitCount
            guard key.count == n else { return false }
            let b = UnsafeRawPointer(name.utf8Start)
            func same<T: FixedWidthInteger>(_: T.Type) -> Bool {
                let size = MemoryLayout<T>.size
                return key.loadUnaligned(as: T.self) == b.loadUnaligned(as: T.self)
                    && key.loadUnaligned(fromByteOffset: n - size, as: T.self) == b.loadUnaligned(fromByteOffset: n - size, as: T.self)
            }
            if n >= 8 { return same(UInt64.self) }
            if n >= 4 { return same(UInt32.self) }
            if n >= 2 { return same(UInt16.self) }
            return key[0] == b.load(as: UInt8.self)
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
