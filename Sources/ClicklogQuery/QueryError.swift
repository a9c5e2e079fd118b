/// Why a query could not run, in words an analyst can act on: which flag, step or file is wrong
/// and what it accepts, or how much memory the query needs.
///
/// `isUsage` separates mistakes in the command line (exit 2) from bad input such as a broken
/// saved query, a missing data directory or a query too big for `--memory-limit` (exit 1); the
/// command layer is the one place that turns this into an exit code.
public struct QueryError: Error, Sendable, Equatable, CustomStringConvertible {
    private enum Kind: Sendable, Equatable {
        case badOption(flag: String, value: String, accepted: String)
        case badStep(index: Int, step: String, reason: String)
        case savedQuery(file: String, reason: String)
        case memoryLimit(needed: Int, limit: Int, what: String)
        case data(String)
    }

    private let kind: Kind

    private init(_ kind: Kind) { self.kind = kind }

    /// A flag (or saved-query key) whose value is not one of the accepted forms.
    public static func badOption(_ flag: String, _ value: String, accepted: String) -> QueryError {
        QueryError(.badOption(flag: flag, value: value, accepted: accepted))
    }

    /// A funnel step that does not parse; `index` counts from 1.
    public static func badStep(_ index: Int, _ step: String, reason: String) -> QueryError {
        QueryError(.badStep(index: index, step: step, reason: reason))
    }

    public static func savedQuery(_ file: String, _ reason: String) -> QueryError {
        QueryError(.savedQuery(file: file, reason: reason))
    }

    public static func memoryLimit(needed: Int, limit: Int, what: String) -> QueryError {
        QueryError(.memoryLimit(needed: needed, limit: limit, what: what))
    }

    /// The data could not be read (missing directory, I/O error).
    public static func data(_ message: String) -> QueryError { QueryError(.data(message)) }

    /// True for command-line mistakes (exit 2), false for bad input (exit 1).
    public var isUsage: Bool {
        switch kind {
        case .badOption, .badStep: true
        case .savedQuery, .memoryLimit, .data: false
        }
    }

    /// Whether the query was refused for exceeding `--memory-limit`.
    public var isMemoryLimit: Bool {
        if case .memoryLimit = kind { return true }
        return false
    }

    public var description: String {
        switch kind {
        case let .badOption(flag, value, accepted):
            "\(flag): '\(value)' is not valid; expected \(accepted)"
        case let .badStep(index, step, reason):
            "--step \(index) '\(step)': \(reason); a step is EVENT [path=GLOB] [selector=GLOB] [prop.KEY=VALUE], for example 'page_view path=/product/*'"
        case let .savedQuery(file, reason):
            "\(file): \(reason)"
        case let .memoryLimit(needed, limit, what):
            "this query needs about \(MemoryBudget.format(needed)) for \(what), more than --memory-limit \(MemoryBudget.format(limit)); narrow it with --from/--to/--site or raise --memory-limit"
        case let .data(message):
            message
        }
    }
}
