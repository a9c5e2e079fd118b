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

    @Option(help: ArgumentHelp("Longest gap inside a session (30m, 1h, 90s).", valueName: "duration"))
    var idle = "30m"

    @OptionGroup var common: QueryCommonOptions

    func query() throws -> Query {
        .sessions(SessionsQuery(idle: try QueryParameter.duration(idle, name: "--idle")))
    }

    func validate() throws {
        try QueryRun.checking(Self.self) {
            try common.check()
            _ = try query()
        }
    }

    func run() throws {
        try QueryRun.run(try query(), common: common, command: Self.self)
    }
}
