import ArgumentParser
import ClicklogQuery

/// `clicklog query counts`.
struct QueryCountsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "counts",
        abstract: "Events per hour or day (in --tz) per event, site or path.",
        discussion: """
            Rows are ordered by interval, then key; events without a URL have no path and are \
            counted under an empty key (null in JSON), last in their interval.

            Example:
              clicklog query counts --interval day --by event --from 7d --tz America/New_York
            """
    )

    @Option(help: ArgumentHelp("hour or day (default).", valueName: "interval"))
    var interval: String?

    @Option(help: ArgumentHelp("event (default), site or path.", valueName: "key"))
    var by: String?

    @OptionGroup var common: QueryCommonOptions

    func query(_ saved: SavedQuery?) throws -> Query {
        guard case var .counts(q) = saved?.query ?? .counts(CountsQuery()) else { preconditionFailure() }
        if let interval { q.interval = try QueryParameter.choice(interval, name: "--interval") }
        if let by { q.by = try QueryParameter.choice(by, name: "--by") }
        return .counts(q)
    }

    func validate() throws {
        try QueryRun.checking(Self.self) {
            let saved = try common.savedQuery(ofKind: "counts")
            try common.check(saved: saved)
            _ = try query(saved)
        }
    }

    func run() throws {
        let saved = try QueryRun.checking(Self.self) { try common.savedQuery(ofKind: "counts") }
        try QueryRun.run(try query(saved), common: common, saved: saved, command: Self.self)
    }
}
