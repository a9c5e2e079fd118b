import ClicklogQuery

/// `reports/clicklog.sqlite`: every report's numbers, one table per query kind, keyed by
/// report date and query name, for trends across days:
///
///     sessions     (report_date, query, sessions, mean_duration_s, median_duration_s, bounce_rate, mean_events)
///     funnel_steps (report_date, query, step_number, step, count, conversion, from_previous)
///     top_rows     (report_date, query, rank, value, events, unique_visitors)
///     counts_rows  (report_date, query, interval, key, events)
///
/// Writing a day first deletes that day's rows in every table, in the same transaction, so a
/// re-run replaces them and a failed run leaves them as they were.
struct ReportArchive {
    let database: ReportDatabase

    init(path: String) throws {
        database = try ReportDatabase(path: path)
        try database.execute("""
            CREATE TABLE IF NOT EXISTS sessions (report_date TEXT NOT NULL, query TEXT NOT NULL, sessions INTEGER NOT NULL,
              mean_duration_s REAL, median_duration_s REAL, bounce_rate REAL, mean_events REAL,
              PRIMARY KEY (report_date, query));
            CREATE TABLE IF NOT EXISTS funnel_steps (report_date TEXT NOT NULL, query TEXT NOT NULL, step_number INTEGER NOT NULL,
              step TEXT NOT NULL, count INTEGER NOT NULL, conversion REAL, from_previous REAL,
              PRIMARY KEY (report_date, query, step_number));
            CREATE TABLE IF NOT EXISTS top_rows (report_date TEXT NOT NULL, query TEXT NOT NULL, rank INTEGER NOT NULL,
              value TEXT NOT NULL, events INTEGER NOT NULL, unique_visitors INTEGER NOT NULL,
              PRIMARY KEY (report_date, query, rank));
            CREATE TABLE IF NOT EXISTS counts_rows (report_date TEXT NOT NULL, query TEXT NOT NULL, interval TEXT NOT NULL,
              key TEXT, events INTEGER NOT NULL);
            CREATE INDEX IF NOT EXISTS counts_rows_day ON counts_rows (report_date, query);
            """)
    }

    static let tables = ["sessions", "funnel_steps", "top_rows", "counts_rows"]

    func replace(day: ReportDay, sections: [ReportSection]) throws {
        let date = day.description
        try database.transaction {
            for table in Self.tables {
                let delete = try database.prepare("DELETE FROM \(table) WHERE report_date = ?")
                delete.bind(1, date)
                try delete.run()
            }
            let sessions = try database.prepare("INSERT INTO sessions VALUES (?, ?, ?, ?, ?, ?, ?)")
            let steps = try database.prepare("INSERT INTO funnel_steps VALUES (?, ?, ?, ?, ?, ?, ?)")
            let top = try database.prepare("INSERT INTO top_rows VALUES (?, ?, ?, ?, ?, ?)")
            let counts = try database.prepare("INSERT INTO counts_rows VALUES (?, ?, ?, ?, ?)")
            for section in sections {
                switch section.result {
                case let r as SessionsResult:
                    sessions.bind(1, date); sessions.bind(2, section.name); sessions.bind(3, Int64(r.total.sessions))
                    sessions.bind(4, r.total.meanDurationS); sessions.bind(5, r.total.medianDurationS)
                    sessions.bind(6, r.total.bounceRate); sessions.bind(7, r.total.meanEvents)
                    try sessions.run()
                case let r as FunnelResult:
                    for (i, s) in r.steps.enumerated() {
                        steps.bind(1, date); steps.bind(2, section.name); steps.bind(3, Int64(i + 1)); steps.bind(4, s.step)
                        steps.bind(5, Int64(s.count)); steps.bind(6, s.conversion); steps.bind(7, s.fromPrevious)
                        try steps.run()
                    }
                case let r as TopResult:
                    for (i, row) in r.rows.enumerated() {
                        top.bind(1, date); top.bind(2, section.name); top.bind(3, Int64(i + 1)); top.bind(4, row.value)
                        top.bind(5, Int64(row.events)); top.bind(6, Int64(row.uniqueVisitors))
                        try top.run()
                    }
                case let r as CountsResult:
                    for row in r.rows {
                        counts.bind(1, date); counts.bind(2, section.name); counts.bind(3, row.interval)
                        counts.bind(4, row.key); counts.bind(5, Int64(row.events))
                        try counts.run()
                    }
                default:
                    break
                }
            }
        }
    }
}
