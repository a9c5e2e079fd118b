import Yams

/// A query saved in a YAML file (`queries/NAME.yaml`), run with `clicklog query --file`:
///
///     # The shop's checkout funnel.
///     query: funnel
///     description: Product page to purchase within an hour.
///     window: 1h
///     steps:
///       - page_view path=/product/*
///       - add_to_cart
///       - page_view path=/checkout
///       - purchase
///
/// Keys: `query` (sessions, funnel, top, counts; required), `description`, the common `site`,
/// `from`, `to`, `tz`, and the query's own parameters under the names of its flags: sessions
/// `idle`; funnel `steps` (a list), `window`, `by`, `breakdown`, `breakdown_limit`; top
/// `dimension` (required), `event`, `limit`; counts `interval`, `by`. Values are read as text
/// (so `from: 2025-03-03` stays a date), with the same forms as the flags. An unknown key is an
/// error, so a typo never silently changes a query.
///
/// `compare` (any kind) is for `clicklog report` only: the period the day is compared with,
/// `Nd` = the N days before it (1 ≤ N ≤ 366), `1d` (the previous day) by default; with more
/// than one day the report compares against the period's average day (docs/reports.md).
/// `clicklog query --file` accepts and ignores it, so one file serves both. The upper bound
/// is a leap year: a longer period is a trend, which `reports/clicklog.sqlite` answers better.
public struct SavedQuery: Sendable, Equatable {
    public var query: Query
    public var description: String?
    public var site: String?
    public var from: String?
    public var to: String?
    public var tz: String?
    /// Days of the report's comparison period (`compare: Nd`), 1 by default.
    public var compareDays: Int = 1

    static let commonKeys = ["query", "description", "site", "from", "to", "tz", "compare"]

    /// What `compare:` accepts, for its error.
    public static let compareForms = "1d (the previous day, the default), 7d, 28d, or generally Nd with 1 ≤ N ≤ 366"

    /// The N of `Nd`, 1 ≤ N ≤ 366.
    static func compareDays(_ text: String) -> Int? {
        guard text.count >= 2, text.hasSuffix("d"), text.dropLast().allSatisfy(\.isASCII), text.dropLast().allSatisfy(\.isNumber),
              text.dropLast().count <= 3, let n = Int(text.dropLast()), (1...366).contains(n)
        else { return nil }
        return n
    }

    static func keys(of kind: String) -> [String] {
        switch kind {
        case "sessions": ["idle"]
        case "funnel": ["steps", "window", "by", "breakdown", "breakdown_limit"]
        case "top": ["dimension", "event", "limit"]
        default: ["interval", "by"]
        }
    }

    /// Parses the YAML text of `file` (the name is for errors). Errors are `QueryError`s that
    /// name the file and the key.
    public static func parse(_ text: String, file: String) throws -> SavedQuery {
        func fail(_ reason: String) -> QueryError { .savedQuery(file, reason) }
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            throw fail("not valid YAML: \(error)")
        }
        guard let mapping = root?.mapping else { throw fail("expected a mapping of keys (query: funnel, steps: ...)") }
        var scalars: [String: String] = [:]
        var lists: [String: [String]] = [:]
        for (keyNode, valueNode) in mapping {
            guard let key = keyNode.scalar?.string else { throw fail("keys must be plain words") }
            if let scalar = valueNode.scalar {
                scalars[key] = scalar.string
            } else if let sequence = valueNode.sequence {
                lists[key] = try sequence.map { item in
                    guard let s = item.scalar?.string else { throw fail("\(key): list items must be text") }
                    return s
                }
            } else {
                throw fail("\(key): expected text or a list")
            }
        }
        let kinds = ["sessions", "funnel", "top", "counts"]
        guard let kind = scalars["query"] else { throw fail("no 'query:' key; expected one of \(kinds.joined(separator: ", "))") }
        guard kinds.contains(kind) else { throw fail("query: '\(kind)' is not a query; expected one of \(kinds.joined(separator: ", "))") }
        let allowed = commonKeys + keys(of: kind)
        for key in Array(scalars.keys) + Array(lists.keys) where !allowed.contains(key) {
            throw fail("unknown key '\(key)' for a \(kind) query; keys are \(allowed.joined(separator: ", "))")
        }
        if kind != "funnel", let key = lists.keys.first { throw fail("\(key): expected text, not a list") }

        do {
            let query: Query
            switch kind {
            case "sessions":
                query = .sessions(SessionsQuery(idle: try scalars["idle"].map { try QueryParameter.duration($0, name: "idle") } ?? SessionsQuery().idle))
            case "funnel":
                let steps = lists["steps"] ?? scalars["steps"].map { [$0] } ?? []
                var q = FunnelQuery(steps: try QueryParameter.steps(steps, name: "steps"))
                if let w = scalars["window"] { q.window = try QueryParameter.duration(w, name: "window") }
                if let b = scalars["by"] { q.by = try QueryParameter.choice(b, name: "by") }
                if let d = scalars["breakdown"] { q.breakdown = try QueryParameter.dimension(d, name: "breakdown") }
                if let l = scalars["breakdown_limit"] { q.breakdownLimit = try QueryParameter.positiveInt(l, name: "breakdown_limit") }
                query = .funnel(q)
            case "top":
                guard let d = scalars["dimension"] else { throw fail("a top query needs 'dimension:' (\(Dimension.acceptedForms))") }
                var q = TopQuery(dimension: try QueryParameter.dimension(d, name: "dimension"))
                q.event = scalars["event"]
                if let l = scalars["limit"] { q.limit = try QueryParameter.positiveInt(l, name: "limit") }
                query = .top(q)
            default:
                var q = CountsQuery()
                if let i = scalars["interval"] { q.interval = try QueryParameter.choice(i, name: "interval") }
                if let b = scalars["by"] { q.by = try QueryParameter.choice(b, name: "by") }
                query = .counts(q)
            }
            var saved = SavedQuery(
                query: query, description: scalars["description"], site: scalars["site"], from: scalars["from"],
                to: scalars["to"], tz: scalars["tz"])
            if let compare = scalars["compare"] {
                guard let days = compareDays(compare) else { throw fail("compare: '\(compare)' is not valid; expected \(compareForms)") }
                saved.compareDays = days
            }
            return saved
        } catch let error as QueryError where error.isUsage {
            throw fail(error.description.replacingOccurrences(of: "--step ", with: "step "))
        }
    }
}

import Foundation
