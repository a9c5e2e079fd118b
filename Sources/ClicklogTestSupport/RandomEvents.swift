import ClicklogEvents

/// A small seeded generator (SplitMix64): the same seed gives the same events on every run and
/// platform, so a failing property test can be replayed.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state = state &+ 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// True with probability `p`.
    public mutating func chance(_ p: Double) -> Bool { Double(next() >> 11) / Double(1 << 53) < p }

    public mutating func pick<T>(_ items: [T]) -> T { items[Int(next() % UInt64(items.count))] }

    /// A number in `0..<n`.
    public mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
}

/// Event generators for storage tests: `edgeCases` stresses the codecs, `realistic` resembles
/// real traffic closely enough to judge compression.
public enum RandomEvents {
    /// Events full of edge values: Int64.min/max, empty strings, nulls everywhere, Unicode and
    /// NUL bytes, long values, up to 70 props, UUIDs mixed with almost-UUIDs.
    public static func edgeCases(count: Int, rng: inout SeededRandom) -> [Event] {
        // Some batches use only canonical UUIDs for the id columns, to reach the uuid codecs.
        let uuidsOnly = rng.chance(0.5)
        let versionFourOnly = rng.chance(0.5)
        return (0..<count).map { _ in edgeCase(rng: &rng, uuidsOnly: uuidsOnly, versionFourOnly: versionFourOnly) }
    }

    public static func edgeCase(rng: inout SeededRandom, uuidsOnly: Bool = false, versionFourOnly: Bool = false) -> Event {
        func int(_ rng: inout SeededRandom) -> Int64 {
            switch rng.next() % 8 {
            case 0: .min
            case 1: .max
            case 2: 0
            case 3: -1
            case 4: Int64(bitPattern: rng.next())
            default: 1_700_000_000_000 + Int64(rng.next() % 10_000)
            }
        }
        func optional(_ rng: inout SeededRandom) -> String? { rng.chance(0.3) ? nil : text(&rng) }
        func id(_ rng: inout SeededRandom) -> String {
            // Canonical UUIDs, version 4 (codec uuid4) or not (codec uuid), or anything else.
            if uuidsOnly || rng.chance(0.5) { return versionFourOnly ? uuid(&rng) : rng.pick([uuid(&rng), timeUUID(&rng)]) }
            return rng.pick([uuid(&rng).uppercased(), "{\(uuid(&rng))}", String(uuid(&rng).dropLast()), text(&rng), ""])
        }
        var props: [Event.Prop] = []
        let propCount = rng.chance(0.4) ? 0 : Int(rng.next() % (rng.chance(0.1) ? 70 : 6))
        for _ in 0..<propCount {
            let kind = rng.pick(PropKind.allCases)
            let value: String = switch kind {
            case .string: text(&rng)
            case .number: rng.pick(["0", "-1.5e300", "12345678901234567890", "3.14"])
            case .true: "true"
            case .false: "false"
            case .null: ""
            case .array: "[1,\"two\",{\"a\":null}]"
            }
            props.append(Event.Prop(key: rng.pick(["plan", "a.b", "", "ключ", "utm_source", text(&rng)]), kind: kind, value: value))
        }
        return Event(
            event: rng.pick(["page_view", "click", "", "signup ✅", text(&rng)]),
            ts: int(&rng),
            anonymousID: id(&rng),
            id: rng.chance(0.2) ? nil : id(&rng),
            userID: optional(&rng),
            sessionID: rng.chance(0.3) ? nil : id(&rng),
            url: optional(&rng), referrer: optional(&rng), title: optional(&rng),
            selector: optional(&rng), text: optional(&rng),
            x: rng.chance(0.5) ? nil : int(&rng), y: rng.chance(0.5) ? nil : int(&rng),
            props: props,
            receivedAt: int(&rng),
            site: rng.pick(["demo", "shop", "", "サイト"]),
            userAgent: optional(&rng), ip: optional(&rng),
            sentAt: rng.chance(0.5) ? nil : int(&rng))
    }

    /// A lowercase canonical UUID string that is not version 4 (version 1 layout).
    public static func timeUUID(_ rng: inout SeededRandom) -> String {
        var chars = Array(uuid(&rng))
        chars[14] = "1"
        return String(chars)
    }

    /// A lowercase canonical version-4 UUID string.
    public static func uuid(_ rng: inout SeededRandom) -> String {
        let hex = Array("0123456789abcdef")
        var s = ""
        s.reserveCapacity(36)
        for i in 0..<36 {
            switch i {
            case 8, 13, 18, 23: s.append("-")
            case 14: s.append("4")
            case 19: s.append(hex[8 + Int(rng.next() % 4)])
            default: s.append(hex[Int(rng.next() % 16)])
            }
        }
        return s
    }

    private static func text(_ rng: inout SeededRandom) -> String {
        switch rng.next() % 7 {
        case 0: return ""
        case 1: return "héllo wörld ✨ 中文 \u{0}nul"
        case 2: return String(repeating: "long-value/", count: 200)
        case 3: return "🎉"
        default:
            let letters = Array("abcdefghijklmnopqrstuvwxyz/._-0123456789")
            return String((0..<Int(rng.next() % 24)).map { _ in rng.pick(letters) })
        }
    }

    /// Traffic-like events in arrival order: a few sites, a few hundred pages, visitors with
    /// UUID anonymous ids who view pages and click, server fields filled in as the server does.
    public static func realistic(count: Int, rng: inout SeededRandom, startMillis: Int64 = 1_735_689_600_000) -> [Event] {
        let sites = ["demo", "shop", "blog"]
        let pages = (0..<300).map { i in "https://shop.example/" + ["products", "blog", "docs", "cart"][i % 4] + "/item-\(i)" }
        let titles = pages.map { "Title of \($0.split(separator: "/").last!) | Shop Example" }
        let referrers = ["https://www.google.com/", "https://news.ycombinator.com/", "https://t.co/abc", "https://duckduckgo.com/"]
        let agents = (0..<25).map { "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/\(100 + $0).0.0.0 Safari/537.36" }
        let selectors = ["button.buy", "a.nav-link", "#search", "div.card > a", "button#signup", "nav ul li:nth-child(2) a"]
        let texts = ["Buy now", "Home", "Search", "Read more", "Sign up", "Docs"]
        struct Visitor { var anon: String; var session: String; var page: Int; var ua: String; var ip: String; var site: String; var user: String? }
        var visitors: [Visitor] = []
        var events: [Event] = []
        events.reserveCapacity(count)
        var clock = startMillis
        while events.count < count {
            clock += Int64(rng.next() % 40)
            if visitors.count < 200 || rng.chance(0.02) {
                let v = Visitor(
                    anon: uuid(&rng), session: uuid(&rng), page: Int(rng.next() % 300), ua: rng.pick(agents),
                    ip: "203.0.\(rng.next() % 256).0", site: rng.pick(sites), user: rng.chance(0.2) ? "user-\(rng.next() % 5000)" : nil)
                if visitors.count >= 400 { visitors[Int(rng.next() % 400)] = v } else { visitors.append(v) }
            }
            let vi = Int(rng.next() % UInt64(visitors.count))
            let v = visitors[vi]
            let skew = Int64(rng.next() % 2000) - 1000
            let receivedAt = clock * 1000 + Int64(rng.next() % 1000)
            let isClick = rng.chance(0.35)
            var props: [Event.Prop] = []
            if rng.chance(0.3) { props.append(Event.Prop(key: "utm_source", kind: .string, value: rng.pick(["google", "newsletter", "twitter"]))) }
            if rng.chance(0.1) { props.append(Event.Prop(key: "plan", kind: .string, value: rng.pick(["free", "pro"]))) }
            if rng.chance(0.1) { props.append(Event.Prop(key: "price", kind: .number, value: "\(rng.next() % 200).99")) }
            if isClick {
                events.append(Event(
                    event: "click", ts: clock + skew, anonymousID: v.anon, id: uuid(&rng), userID: v.user, sessionID: v.session,
                    url: pages[v.page], title: titles[v.page], selector: rng.pick(selectors), text: rng.pick(texts),
                    x: Int64(rng.next() % 1400), y: Int64(rng.next() % 900), props: props,
                    receivedAt: receivedAt, site: v.site, userAgent: v.ua, ip: v.ip, sentAt: clock + skew + 5))
            } else {
                let next = Int(rng.next() % 300)
                visitors[vi].page = next
                events.append(Event(
                    event: rng.chance(0.05) ? "signup" : "page_view", ts: clock + skew, anonymousID: v.anon, id: uuid(&rng),
                    userID: v.user, sessionID: v.session, url: pages[next],
                    referrer: rng.chance(0.7) ? pages[v.page] : rng.pick(referrers), title: titles[next], props: props,
                    receivedAt: receivedAt, site: v.site, userAgent: v.ua, ip: v.ip, sentAt: clock + skew + 5))
            }
        }
        return events
    }

    /// The events as one columnar batch.
    public static func batch(_ events: [Event]) -> EventBatch {
        var batch = EventBatch()
        for e in events { batch.append(e) }
        return batch
    }
}
