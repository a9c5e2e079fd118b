import ArgumentParser
import ClicklogQuery

/// `clicklog query top`.
struct QueryTopCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "top",
        abstract: "The most frequent values of a dimension, with events and unique visitors.",
        discussion: """
            Rows are ordered by events, then value. Events without a value (no referrer, no such \
            property) are not counted.

            Example:
              clicklog query top --dimension path --event page_view --limit 20
            """
    )

    @Option(help: ArgumentHelp(Dimension.acceptedForms, valueName: "dimension"))
    var dimension: String

    @Option(help: ArgumentHelp("Only events with this name.", valueName: "name"))
    var event: String?

    @Option(help: ArgumentHelp("Rows to show.", valueName: "n"))
    var limit = "10"

    @OptionGroup var common: QueryCommonOptions

    func query() throws -> Query {
        .top(TopQuery(
            dimension: try QueryParameter.dimension(dimension, name: "--dimension"), event: event,
            limit: try QueryParameter.positiveInt(limit, name: "--limit")))
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
