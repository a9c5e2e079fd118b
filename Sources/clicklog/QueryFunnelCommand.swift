import ArgumentParser
import ClicklogQuery

/// `clicklog query funnel`.
struct QueryFunnelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "funnel",
        abstract: "How many visitors reach each step, in order, within a window (ClickHouse's windowFunnel).",
        discussion: """
            Each --step is EVENT [path=GLOB] [selector=GLOB] [prop.KEY=VALUE]; path is the URL's \
            path without query or fragment, and * matches any run of characters. The window is \
            inclusive and measured from step 1. Also shows the median time from step 1 to each \
            step; --breakdown splits the counts by the value of the visitor's first step-1 event.

            Example:
              clicklog query funnel --step 'page_view path=/product/*' --step add_to_cart \\
                --step 'page_view path=/checkout' --step purchase --breakdown referrer_host
            """
    )

    @Option(name: .customLong("step"), help: ArgumentHelp("A step, in order; repeat for each step.", valueName: "step"))
    var steps: [String] = []

    @Option(help: ArgumentHelp("Longest time from step 1 to the last step (1h, 30m, 2d).", valueName: "duration"))
    var window = "1h"

    @Option(help: ArgumentHelp("visitor: (site, anonymous_id); user: (site, user_id), events without one left out.", valueName: "key"))
    var by = "visitor"

    @Option(help: ArgumentHelp("Split counts by \(Dimension.acceptedForms).", valueName: "dimension"))
    var breakdown: String?

    @Option(name: .customLong("breakdown-limit"), help: ArgumentHelp("Breakdown values shown; the rest are summed as (other).", valueName: "n"))
    var breakdownLimit = "20"

    @OptionGroup var common: QueryCommonOptions

    func query() throws -> Query {
        var q = FunnelQuery(steps: try QueryParameter.steps(steps, name: "--step"))
        q.window = try QueryParameter.duration(window, name: "--window")
        q.by = try QueryParameter.choice(by, name: "--by")
        q.breakdown = try breakdown.map { try QueryParameter.dimension($0, name: "--breakdown") }
        q.breakdownLimit = try QueryParameter.positiveInt(breakdownLimit, name: "--breakdown-limit")
        return .funnel(q)
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
