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

            Examples:
              clicklog query funnel --step 'page_view path=/product/*' --step add_to_cart \\
                --step 'page_view path=/checkout' --step purchase --breakdown referrer_host
              clicklog query funnel --file queries/checkout-funnel.yaml --window 30m
            """
    )

    @Option(name: .customLong("step"), help: ArgumentHelp("A step, in order; repeat for each step.", valueName: "step"))
    var steps: [String] = []

    @Option(help: ArgumentHelp("Longest time from step 1 to the last step (1h, 30m, 2d); 1h by default.", valueName: "duration"))
    var window: String?

    @Option(help: ArgumentHelp("visitor (default): (site, anonymous_id); user: (site, user_id), events without one left out.", valueName: "key"))
    var by: String?

    @Option(help: ArgumentHelp("Split counts by \(Dimension.acceptedForms).", valueName: "dimension"))
    var breakdown: String?

    @Option(name: .customLong("breakdown-limit"), help: ArgumentHelp("Breakdown values shown (20 by default); the rest are summed as (other).", valueName: "n"))
    var breakdownLimit: String?

    @OptionGroup var common: QueryCommonOptions

    func query(_ saved: SavedQuery?) throws -> Query {
        var q: FunnelQuery
        if case let .funnel(s) = saved?.query, steps.isEmpty {
            q = s
        } else {
            q = FunnelQuery(steps: try QueryParameter.steps(steps, name: "--step"))
            if case let .funnel(s) = saved?.query {
                (q.window, q.by, q.breakdown, q.breakdownLimit) = (s.window, s.by, s.breakdown, s.breakdownLimit)
            }
        }
        if let window { q.window = try QueryParameter.duration(window, name: "--window") }
        if let by { q.by = try QueryParameter.choice(by, name: "--by") }
        if let breakdown { q.breakdown = try QueryParameter.dimension(breakdown, name: "--breakdown") }
        if let breakdownLimit { q.breakdownLimit = try QueryParameter.positiveInt(breakdownLimit, name: "--breakdown-limit") }
        return .funnel(q)
    }

    func validate() throws {
        try QueryRun.checking(Self.self) {
            let saved = try common.savedQuery(ofKind: "funnel")
            try common.check(saved: saved)
            _ = try query(saved)
        }
    }

    func run() throws {
        let saved = try QueryRun.checking(Self.self) { try common.savedQuery(ofKind: "funnel") }
        try QueryRun.run(try query(saved), common: common, saved: saved, command: Self.self)
    }
}
