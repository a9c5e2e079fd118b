import ClicklogEvents

/// What a top list or a funnel breakdown groups by: a string column, a part of a URL, or a
/// property. Values are taken per distinct value of a block's dictionary, never per event, except
/// properties (which have no dictionary).
public enum Dimension: Sendable, Equatable, CustomStringConvertible {
    case path
    case url
    case referrer
    /// The host of the referrer URL (`URLParts.host`); referrers without `://` have none.
    case referrerHost
    case event
    case selector
    case title
    case userID
    case site
    /// A property by key; values are their stored text (`"pro"` → `pro`, `1.50` → `1.50`,
    /// `true`); a JSON null counts as no value.
    case prop(String)

    public static let acceptedForms = "path, url, referrer, referrer_host, event, selector, title, user_id, site, or prop.KEY"

    public init?(_ text: String) {
        switch text {
        case "path": self = .path
        case "url": self = .url
        case "referrer": self = .referrer
        case "referrer_host", "referrer-host", "referrer.host": self = .referrerHost
        case "event": self = .event
        case "selector": self = .selector
        case "title": self = .title
        case "user_id": self = .userID
        case "site": self = .site
        default:
            guard text.hasPrefix("prop."), text.count > 5 else { return nil }
            self = .prop(String(text.dropFirst(5)))
        }
    }

    public var description: String {
        switch self {
        case .path: "path"
        case .url: "url"
        case .referrer: "referrer"
        case .referrerHost: "referrer_host"
        case .event: "event"
        case .selector: "selector"
        case .title: "title"
        case .userID: "user_id"
        case .site: "site"
        case let .prop(key): "prop.\(key)"
        }
    }

    /// The stored column the values come from (`props` for properties).
    var column: Column {
        switch self {
        case .path, .url: .url
        case .referrer, .referrerHost: .referrer
        case .event: .event
        case .selector: .selector
        case .title: .title
        case .userID: .userID
        case .site: .site
        case .prop: .props
        }
    }

    /// The value of a stored string for this dimension: the string itself, or the URL part.
    /// Nil when it has none (a referrer without a host).
    func value(of raw: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer? {
        switch self {
        case .path: URLParts.path(raw)
        case .referrerHost: URLParts.host(raw)
        default: raw
        }
    }
}
