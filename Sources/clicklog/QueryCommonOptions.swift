import ArgumentParser
import ClicklogQuery
import Foundation

/// The flags every query takes (semantics.md, "Common flags"), shared by the four subcommands
/// and `query --file`. Values stay text here and are checked by `QueryParameter`, so a flag
/// and the same key in a saved query accept the same forms and fail with the same message.
struct QueryCommonOptions: ParsableArguments {
    @OptionGroup var data: DataOptions

    @Option(help: ArgumentHelp("Run the saved query in this YAML file (see queries/); flags given too override its values.", valueName: "file"))
    var file: String?

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

    /// The saved query of `--file`, if given.
    func savedQuery() throws -> SavedQuery? {
        guard let file else { return nil }
        guard let data = FileManager.default.contents(atPath: file) else {
            throw QueryError.savedQuery(file, "cannot read the file")
        }
        return try SavedQuery.parse(String(decoding: data, as: UTF8.self), file: file)
    }

    /// The saved query of `--file` when it is of the kind `name`; a usage error when it is another kind.
    func savedQuery(ofKind name: String) throws -> SavedQuery? {
        guard let saved = try savedQuery() else { return nil }
        guard saved.query.name == name else {
            throw QueryError.badOption("--file", file!, accepted: "a saved \(name) query (this one is a \(saved.query.name) query: run it with 'clicklog query --file \(file!)')")
        }
        return saved
    }

    /// Checks every flag without opening the data: for `validate()`.
    func check(saved: SavedQuery? = nil) throws {
        _ = try outputFormat()
        _ = try queryOptions(saved: saved)
    }
}

/// `--format`.
enum QueryOutputFormat: String, CaseIterable {
    case table, csv, json
}
