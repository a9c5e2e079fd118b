/// The answer of `clicklog query top` (semantics.md, "Top lists").
public struct TopResult: QueryResult, Equatable {
    public struct Row: Sendable, Equatable {
        public var value: String
        public var events: Int
        /// Distinct `(site, anonymous_id)` among the value's events.
        public var uniqueVisitors: Int

        public init(value: String, events: Int, uniqueVisitors: Int) {
            self.value = value
            self.events = events
            self.uniqueVisitors = uniqueVisitors
        }
    }

    public var dimension: String
    /// By events descending, then value ascending (byte order).
    public var rows: [Row]

    public var json: JSONValue {
        .object([("rows", .array(rows.map {
            .object([("value", .string($0.value)), ("events", .int($0.events)), ("unique_visitors", .int($0.uniqueVisitors))])
        }))])
    }

    public var tables: [ResultTable] {
        [ResultTable(
            columns: [.init(dimension), .init("events", numeric: true), .init("unique_visitors", numeric: true)],
            rows: rows.map { [$0.value, Cell.count($0.events), Cell.count($0.uniqueVisitors)] })]
    }
}

/// The answer of `clicklog query counts` (semantics.md, "Counts").
public struct CountsResult: QueryResult, Equatable {
    public struct Row: Sendable, Equatable {
        /// `YYYY-MM-DD` or `YYYY-MM-DDTHH:00` in the query's zone.
        public var interval: String
        /// The event name, site or path; nil for events without one (a path of an event
        /// without a URL), listed last in their interval.
        public var key: String?
        public var events: Int

        public init(interval: String, key: String?, events: Int) {
            self.interval = interval
            self.key = key
            self.events = events
        }
    }

    public var by: String
    /// By interval, then key (byte order).
    public var rows: [Row]

    public var json: JSONValue {
        .object([("rows", .array(rows.map {
            .object([("interval", .string($0.interval)), ("key", $0.key.map { .string($0) } ?? .null), ("events", .int($0.events))])
        }))])
    }

    public var tables: [ResultTable] {
        [ResultTable(
            columns: [.init("interval"), .init(by), .init("events", numeric: true)],
            rows: rows.map { [$0.interval, $0.key ?? "", Cell.count($0.events)] })]
    }
}
