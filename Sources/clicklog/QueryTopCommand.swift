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

    @Option(help: ArgumentHelp(Dimension.acceptedForms + " (required unless --file gives it).", valueName: "dimension"))
    var dimension: String?

    @Option(help: ArgumentHelp("Only events with this name.", valueName: "name"))
    var event: String?

    @Option(help: ArgumentHelp("Rows to show; 10 by default.", valueName: "n"))
    var limit: String?

    @OptionGroup var common: QueryCommonOptions

    func query(_ saved: SavedQuery?) throws -> Query {
        var q: TopQuery
        if let dimension {
            q = TopQuery(dimension: try QueryParameter.dimension(dimension, name: "--dimension"))
            if case let .top(s) = saved?.query { (q.event, q.limit) = (s.event, s.limit) }
        } else if case let .top(s) = saved?.query {
            q = s
        } else {
            throw QueryError.badOption("--dimension", "", accepted: Dimension.acceptedForms)
        }
        if let event { q.event = event }
        if let limit { q.limit = try QueryParameter.positiveInt(limit, name: "--limit") }
        return .top(q)
    }

    func validate() throws {
        try QueryRun.checking(Self.self) {
            let saved = try common.savedQuery(ofKind: "top")
            try common.check(saved: saved)
            _ = try query(saved)
        }
    }

    func run() throws {
        let saved = try QueryRun.checking(Self.self) { try common.savedQuery(ofKind: "top") }
        try QueryRun.run(try query(saved), common: common, saved: saved, command: Self.self)
    }
}
