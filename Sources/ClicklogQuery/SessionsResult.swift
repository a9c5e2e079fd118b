/// The answer of `clicklog query sessions` (semantics.md, "Sessions").
public struct SessionsResult: QueryResult, Equatable {
    /// Session statistics of a set of sessions: all of them, or one day's.
    public struct Stats: Sendable, Equatable {
        public var sessions: Int
        public var events: Int
        public var bounces: Int
        /// Nil when there are no sessions (as SQL's `avg` and `median` of nothing).
        public var meanDurationS: Double?
        public var medianDurationS: Double?

        public var bounceRate: Double? { sessions > 0 ? Double(bounces) / Double(sessions) : nil }
        public var meanEvents: Double? { sessions > 0 ? Double(events) / Double(sessions) : nil }

        /// Computes the stats; reorders `durations` (milliseconds) to find the median.
        init(sessions: Int, events: Int, bounces: Int, totalDuration: Int64, durations: inout [Int64]) {
            self.sessions = sessions
            self.events = events
            self.bounces = bounces
            meanDurationS = sessions > 0 ? Double(totalDuration) / Double(sessions) / 1000 : nil
            medianDurationS = Median.interpolated(&durations).map { $0 / 1000 }
        }
    }

    public struct Day: Sendable, Equatable {
        /// `YYYY-MM-DD` in the query's zone.
        public var day: String
        public var stats: Stats
    }

    public struct Hour: Sendable, Equatable {
        /// `YYYY-MM-DDTHH:00` in the query's zone (a local clock hour: on a day when clocks go
        /// back, the repeated hour is one bucket).
        public var hour: String
        public var stats: Stats
    }

    public var total: Stats
    /// Days that have sessions, in order.
    public var byDay: [Day]
    /// Hours that have sessions, in order; only with `SessionsQuery.bucket == .hour` (empty
    /// otherwise), and not part of `json`, which semantics.md fixes.
    public var byHour: [Hour] = []

    public var json: JSONValue {
        .object([
            ("sessions", .int(total.sessions)),
            ("mean_duration_s", Self.number(total.meanDurationS)),
            ("median_duration_s", Self.number(total.medianDurationS)),
            ("bounce_rate", Self.number(total.bounceRate)),
            ("mean_events", Self.number(total.meanEvents)),
            ("by_day", .array(byDay.map { .object([("day", .string($0.day)), ("sessions", .int($0.stats.sessions))]) })),
        ])
    }

    /// One row per day with every statistic, then the total.
    public var tables: [ResultTable] {
        var table = ResultTable(columns: [
            .init("day"), .init("sessions", numeric: true), .init("mean_duration_s", numeric: true),
            .init("median_duration_s", numeric: true), .init("bounce_rate", numeric: true), .init("mean_events", numeric: true),
        ])
        func row(_ label: String, _ s: Stats) -> [String] {
            [label, Cell.count(s.sessions), Cell.decimal(s.meanDurationS), Cell.decimal(s.medianDurationS),
             Cell.decimal(s.bounceRate, digits: 4), Cell.decimal(s.meanEvents)]
        }
        table.rows = byDay.map { row($0.day, $0.stats) }
        table.footerStart = table.rows.count
        table.rows.append(row("all", total))
        return [table]
    }

    static func number(_ d: Double?) -> JSONValue { d.map { .double($0) } ?? .null }
}
