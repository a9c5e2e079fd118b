import ArgumentParser
import ClicklogQuery

/// `clicklog query counts`.
struct QueryCountsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "counts",
        abstract: "Events per hour or day (in --tz) per event, site or path.",
        discussion: """
            Rows are ordered by interval, then key; events without a URL have no path and are \
            counted under an empty key, last in their interval.

            Example:
              clicklog query counts --interval day --by event --from 7d --tz America/New_York
            """
    )

    @Option(help: ArgumentHelp("hour or day.", valueName: "interval"))
    var interval = "day"

    @Option(help: ArgumentHelp("event, site or path.", valueName: "key"))
    var by = "event"

    @OptionGroup var common: QueryCommonOptions

    func query() throws -> Query {
        .counts(CountsQuery(
            interval: try QueryParameter.choice(interval, name: "--interval"),
            by: try QueryParameter.choice(by, name: "--by")))
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
