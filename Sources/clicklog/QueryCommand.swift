import ArgumentParser
import ClicklogQuery

/// `clicklog query`: the four queries of semantics.md as subcommands, or a saved one with `--file`.
struct QueryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query",
        abstract: "Query the log: sessions, funnels, top lists and counts (see docs/query.md).",
        discussion: """
            Run one of the subcommands, or a saved query with --file; flags given with --file \
            override the file's site, from, to and tz.

            Output is an aligned table on a terminal and JSON otherwise (--format to choose). \
            Exit status: 0 with results, 1 for bad input (a broken saved query, a missing data \
            directory, a query over --memory-limit), 2 for usage errors (a bad flag or step).

            Examples:
              clicklog query sessions --from 7d --tz Europe/Berlin
              clicklog query funnel --step 'page_view path=/product/*' --step add_to_cart --step purchase
              clicklog query top --dimension path --event page_view --limit 20
              clicklog query counts --interval hour --by event --from today
              clicklog query --file queries/checkout-funnel.yaml --format csv
            """,
        subcommands: [QuerySessionsCommand.self, QueryFunnelCommand.self, QueryTopCommand.self, QueryCountsCommand.self]
    )

    @OptionGroup var common: QueryCommonOptions

    // ArgumentParser validates every command on the way to a subcommand, so the checks that
    // only hold without one are in `run`, which runs only then.
    func validate() throws {
        guard common.file != nil else { return }
        try QueryRun.checking(Self.self) { try common.check(saved: try common.savedQuery()) }
    }

    func run() throws {
        let saved = try QueryRun.checking(Self.self) { try common.savedQuery() }
        guard let saved else {
            throw QueryRun.usageError("give a subcommand (sessions, funnel, top, counts) or --file NAME.yaml", command: Self.self)
        }
        try QueryRun.run(saved.query, common: common, saved: saved, command: Self.self)
    }
}
