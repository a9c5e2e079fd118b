/// One event as plain values: for tests, fixtures, export and other cold paths. The hot paths
/// (parse, encode, scan) work on `EventBatch` columns instead.
public struct Event: Sendable, Equatable, Hashable {
    public struct Prop: Sendable, Equatable, Hashable {
        public var key: String
        public var kind: PropKind
        /// The value's text: the decoded string, the number literal, or the array's JSON.
        public var value: String

        public init(key: String, kind: PropKind, value: String) {
            self.key = key
            self.kind = kind
            self.value = value
        }
    }

    public var event: String
    public var ts: Int64
    public var anonymousID: String
    public var id: String?
    public var userID: String?
    public var sessionID: String?
    public var url: String?
    public var referrer: String?
    public var title: String?
    public var selector: String?
    public var text: String?
    public var x: Int64?
    public var y: Int64?
    public var props: [Prop]
    public var receivedAt: Int64
    public var site: String
    public var userAgent: String?
    public var ip: String?
    public var sentAt: Int64?

    public init(
        event: String, ts: Int64, anonymousID: String, id: String? = nil, userID: String? = nil,
        sessionID: String? = nil, url: String? = nil, referrer: String? = nil, title: String? = nil,
        selector: String? = nil, text: String? = nil, x: Int64? = nil, y: Int64? = nil,
        props: [Prop] = [], receivedAt: Int64 = 0, site: String = "demo", userAgent: String? = nil,
        ip: String? = nil, sentAt: Int64? = nil
    ) {
        self.event = event
        self.ts = ts
        self.anonymousID = anonymousID
        self.id = id
        self.userID = userID
        self.sessionID = sessionID
        self.url = url
        self.referrer = referrer
        self.title = title
        self.selector = selector
        self.text = text
        self.x = x
        self.y = y
        self.props = props
        self.receivedAt = receivedAt
        self.site = site
        self.userAgent = userAgent
        self.ip = ip
        self.sentAt = sentAt
    }
}

extension EventBatch {
    /// Appends a whole event; the cold-path twin of what the parser does field by field.
    public mutating func append(_ e: Event) {
        event.append(e.event)
        ts.append(e.ts)
        anonymousID.append(e.anonymousID)
        id.append(e.id)
        userID.append(e.userID)
        sessionID.append(e.sessionID)
        url.append(e.url)
        referrer.append(e.referrer)
        title.append(e.title)
        selector.append(e.selector)
        text.append(e.text)
        x.append(e.x)
        y.append(e.y)
        for p in e.props {
            propKeys.append(p.key)
            propKinds.append(p.kind.rawValue)
            propValues.append(p.value)
        }
        propEnds.append(UInt32(propKinds.count))
        receivedAt.append(e.receivedAt)
        site.append(e.site)
        userAgent.append(e.userAgent)
        ip.append(e.ip)
        sentAt.append(e.sentAt)
        count += 1
    }

    /// The event at `row`, with every column present in the batch.
    public func event(at row: Int) -> Event {
        var props: [Event.Prop] = []
        if !propEnds.isEmpty {
            for p in propRange(of: row) {
                props.append(Event.Prop(
                    key: propKeys.string(at: p) ?? "",
                    kind: PropKind(rawValue: propKinds[p]) ?? .null,
                    value: propValues.string(at: p) ?? ""))
            }
        }
        return Event(
            event: event.count > row ? event.string(at: row) ?? "" : "",
            ts: ts.count > row ? ts[row] : 0,
            anonymousID: anonymousID.count > row ? anonymousID.string(at: row) ?? "" : "",
            id: id.count > row ? id.string(at: row) : nil,
            userID: userID.count > row ? userID.string(at: row) : nil,
            sessionID: sessionID.count > row ? sessionID.string(at: row) : nil,
            url: url.count > row ? url.string(at: row) : nil,
            referrer: referrer.count > row ? referrer.string(at: row) : nil,
            title: title.count > row ? title.string(at: row) : nil,
            selector: selector.count > row ? selector.string(at: row) : nil,
            text: text.count > row ? text.string(at: row) : nil,
            x: x.count > row ? x[row] : nil,
            y: y.count > row ? y[row] : nil,
            props: props,
            receivedAt: receivedAt.count > row ? receivedAt[row] : 0,
            site: site.count > row ? site.string(at: row) ?? "" : "",
            userAgent: userAgent.count > row ? userAgent.string(at: row) : nil,
            ip: ip.count > row ? ip.string(at: row) : nil,
            sentAt: sentAt.count > row ? sentAt[row] : nil)
    }

    public var events: [Event] { (0..<count).map { event(at: $0) } }
}
