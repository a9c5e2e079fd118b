/// The columns of a stored event. The raw values are part of the on-disk format (docs/format.md):
/// never renumber one, only add new ones at the end.
public enum Column: UInt8, Sendable, CaseIterable, Hashable {
    case event = 0
    case ts = 1
    case anonymousID = 2
    case id = 3
    case userID = 4
    case sessionID = 5
    case url = 6
    case referrer = 7
    case title = 8
    case selector = 9
    case text = 10
    case x = 11
    case y = 12
    /// Property keys, values and kinds: three chunks on disk, one column to a reader.
    case props = 13
    case receivedAt = 14
    case site = 15
    case userAgent = 16
    case ip = 17
    case sentAt = 18

    /// The field name in the wire protocol and in query output.
    public var name: String {
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
        case .receivedAt: "received_at"
        case .site: "site"
        case .userAgent: "user_agent"
        case .ip: "ip"
        case .sentAt: "sent_at"
        }
    }

    public init?(name: String) {
        guard let column = Column.allCases.first(where: { $0.name == name }) else { return nil }
        self = column
    }

    /// Whether the column holds integers (as opposed to strings or props).
    public var isInteger: Bool {
        switch self {
        case .ts, .x, .y, .receivedAt, .sentAt: true
        default: false
        }
    }
}

/// A set of columns, for projection: readers decode only the columns a query asks for.
public struct ColumnSet: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public init(_ column: Column) { rawValue = 1 << UInt32(column.rawValue) }
    public init(_ columns: [Column]) {
        rawValue = columns.reduce(0) { $0 | (1 << UInt32($1.rawValue)) }
    }

    public static let all = ColumnSet(Column.allCases)

    public func contains(_ column: Column) -> Bool { rawValue & (1 << UInt32(column.rawValue)) != 0 }

    public var columns: [Column] { Column.allCases.filter { contains($0) } }
}
