import ArgumentParser
import ClicklogQuery

/// `clicklog query sessions`.
struct QuerySessionsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sessions",
        abstract: "Sessions of (site, anonymous_id): count, duration, bounce rate, events, per day.",
        discussion: """
            A session ends after a gap longer than --idle; a gap of exactly --idle stays in it. \
            A session belongs to the day (in --tz) of its first event. The table and CSV show \
            every statistic per day and for all days; JSON has the totals and sessions per day.

            Example:
              clicklog query sessions --from 2025-03-01 --to 2025-04-01 --tz Europe/Berlin
            """
    )

    @Option(help: ArgumentHelp("Longest gap inside a session (30m, 1h, 90s); 30m by default.", valueName: "duration"))
    var idle: String?

    @OptionGroup var common: QueryCommonOptions

    func query(_ saved: SavedQuery?) throws -> Query {
        guard case var .sessions(q) = saved?.query ?? .sessions(SessionsQuery()) else { preconditionFailure() }
        if let idle { q.idle = try QueryParameter.duration(idle, name: "--idle") }
        return .sessions(q)
    }

    func validate() throws {
        try QueryRun.checking(Self.self) {
            let saved = try common.savedQuery(ofKind: "sessions")
            try common.check(saved: saved)
            _ = try query(saved)
        }
    }

    func run() throws {
        let saved = try QueryRun.checking(Self.self) { try common.savedQuery(ofKind: "sessions") }
        try QueryRun.run(try query(saved), common: common, saved: saved, command: Self.self)
    }
}
