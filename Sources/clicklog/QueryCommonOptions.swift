import ArgumentParser
import ClicklogQuery

/// The flags every query takes (semantics.md, "Common flags"), shared by the four subcommands
/// and `query --file`. Values stay text here and are checked by `QueryParameter`, so a flag
/// and the same key in a saved query accept the same forms and fail with the same message.
struct QueryCommonOptions: ParsableArguments {
    @OptionGroup var data: DataOptions

    @Option(help: ArgumentHelp("Only events of this site key.", valueName: "key"))
    var site: String?

    @Option(help: ArgumentHelp("Start, inclusive: RFC 3339, YYYY-MM-DD (midnight in --tz), today, yesterday, or 7d, 24h, 30m ago.", valueName: "time"))
    var from: String?

    @Option(help: ArgumentHelp("End, exclusive; same forms as --from.", valueName: "time"))
    var to: String?

    @Option(help: ArgumentHelp("Zone of days, hours and dates: UTC (default), +01:00, or an IANA name such as Europe/Berlin.", valueName: "zone"))
    var tz: String?

    @Option(help: ArgumentHelp("table, csv or json; table on a terminal, json otherwise.", valueName: "format"))
    var format: String?

    @Option(name: .customLong("memory-limit"), help: ArgumentHelp("Refuse queries that would need more memory than this (512MiB, 4GiB); half the machine's memory by default.", valueName: "size"))
    var memoryLimit: String?

    @Option(help: ArgumentHelp("Threads that decode and aggregate; all cores by default.", valueName: "n"))
    var threads: Int?

    /// The output format, checked.
    func outputFormat() throws -> QueryOutputFormat? {
        guard let format else { return nil }
        return try QueryParameter.choice(format, name: "--format")
    }

    /// Query options from these flags; a saved query's values fill what the flags leave unset.
    func queryOptions(saved: SavedQuery? = nil) throws -> QueryOptions {
        try QueryParameter.options(
            site: site ?? saved?.site, from: from ?? saved?.from, to: to ?? saved?.to, tz: tz ?? saved?.tz,
            memoryLimit: memoryLimit, threads: threads)
    }

    /// Checks every flag without opening the data: for `validate()`.
    func check() throws {
        _ = try outputFormat()
        _ = try queryOptions()
    }
}

/// `--format`.
enum QueryOutputFormat: String, CaseIterable {
    case table, csv, json
}
