import ClicklogEvents
import ClicklogQuery

/// Epoch ms of an RFC 3339 time, for readable fixtures.
func at(_ text: String) -> Int64 {
    Array(text.utf8).withUnsafeBytes { RFC3339.milliseconds($0)! }
}

let minute: Int64 = 60_000
let hour: Int64 = 3_600_000

/// An event with the fields queries look at.
func ev(
    _ event: String, _ ts: Int64, _ visitor: String, site: String = "shop", url: String? = nil,
    referrer: String? = nil, selector: String? = nil, user: String? = nil, props: [String: String] = [:]
) -> Event {
    Event(
        event: event, ts: ts, anonymousID: visitor, userID: user, url: url, referrer: referrer, selector: selector,
        props: props.sorted { $0.key < $1.key }.map { Event.Prop(key: $0.key, kind: .string, value: $0.value) },
        site: site)
}

/// An engine over `events` in arrival order, cut into blocks of `blockRows`.
func engine(
    _ events: [Event], blockRows: Int = 1024, range: TimeRange = TimeRange(), site: String? = nil,
    zone: TimeZoneOffset = .utc, threads: Int = 2, memoryLimit: Int = 1 << 30
) -> QueryEngine {
    QueryEngine(
        source: MemoryScanSource(events: events, blockRows: blockRows),
        options: QueryOptions(range: range, site: site, zone: zone, threads: threads, memoryLimit: memoryLimit))
}

func steps(_ texts: String...) -> [FunnelStep] {
    texts.map { try! FunnelStep.parse($0).get() }
}
