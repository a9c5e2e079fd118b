/// The answer of `clicklog query funnel` (semantics.md, "Funnels"), with the median time from
/// step 1 to each step and, with `--breakdown`, the counts per value.
public struct FunnelResult: QueryResult, Equatable {
    public struct Step: Sendable, Equatable {
        /// The step as given.
        public var step: String
        /// Visitors whose level is at least this step's number.
        public var count: Int
        /// count / count(step 1); nil when no visitor reached step 1.
        public var conversion: Double?
        /// count / count(previous step); for step 1, count / count(step 1).
        public var fromPrevious: Double?
        /// Interpolated median of the seconds from step 1 to this step, over the visitors who
        /// reached it (on the first chain that did); nil when none did.
        public var medianSeconds: Double?
    }

    public struct Group: Sendable, Equatable {
        /// The dimension's value; nil for visitors whose step-1 event has none, and for the
        /// `(other)` group, which `isOther` marks.
        public var value: String?
        public var isOther: Bool
        public var steps: [Step]
    }

    public var windowSeconds: Double
    public var steps: [Step]
    public var breakdownDimension: String?
    /// Groups by step-1 count descending, then value; present with a breakdown.
    public var groups: [Group]

    init(query: FunnelQuery, tally: WindowFunnel.Tally, breakdownValues: Interner) {
        windowSeconds = Double(query.window) / 1000
        let names = query.steps.map(\.text)
        var times = tally.times
        let medians = times.indices.map { Median.interpolated(&times[$0]).map { $0 / 1000 } }
        steps = Self.steps(names, levels: tally.levels, medians: medians)
        breakdownDimension = query.breakdown?.description
        var groups = tally.groups.map { (value, levels) in
            (value: value == Interner.none ? nil : breakdownValues.string(value), levels: levels)
        }
        groups.sort { a, b in
            let (ca, cb) = (a.levels.dropFirst().reduce(0, +), b.levels.dropFirst().reduce(0, +))
            if ca != cb { return ca > cb }
            switch (a.value, b.value) {
            case let (x?, y?): return x < y
            case (nil, _?): return false
            case (_?, nil): return true
            case (nil, nil): return false
            }
        }
        var shown = groups.prefix(query.breakdownLimit).map {
            Group(value: $0.value, isOther: false, steps: Self.steps(names, levels: $0.levels, medians: nil))
        }
        if groups.count > query.breakdownLimit {
            var rest = [Int](repeating: 0, count: names.count + 1)
            for g in groups.dropFirst(query.breakdownLimit) { for l in rest.indices { rest[l] += g.levels[l] } }
            shown.append(Group(value: nil, isOther: true, steps: Self.steps(names, levels: rest, medians: nil)))
        }
        self.groups = shown
    }

    /// Step rows from level counts: step i counts the visitors at level i or higher.
    static func steps(_ names: [String], levels: [Int], medians: [Double?]?) -> [Step] {
        var counts = [Int](repeating: 0, count: names.count)
        var running = 0
        for i in stride(from: names.count, through: 1, by: -1) {
            running += levels[i]
            counts[i - 1] = running
        }
        return names.indices.map { i in
            let first = counts[0]
            let previous = i == 0 ? counts[0] : counts[i - 1]
            return Step(
                step: names[i], count: counts[i],
                conversion: first > 0 ? Double(counts[i]) / Double(first) : nil,
                fromPrevious: previous > 0 ? Double(counts[i]) / Double(previous) : nil,
                medianSeconds: medians?[i] ?? nil)
        }
    }

    public var json: JSONValue {
        var fields: [(String, JSONValue)] = [
            ("window_s", .double(windowSeconds)),
            ("steps", .array(steps.map { Self.json($0, median: true) })),
        ]
        if let breakdownDimension {
            fields.append(("breakdown", .object([
                ("dimension", .string(breakdownDimension)),
                ("groups", .array(groups.map { group in
                    .object([
                        ("value", group.isOther ? .string("(other)") : group.value.map { .string($0) } ?? .null),
                        ("steps", .array(group.steps.map { Self.json($0, median: false) })),
                    ])
                })),
            ])))
        }
        return .object(fields)
    }

    static func json(_ step: Step, median: Bool) -> JSONValue {
        var fields: [(String, JSONValue)] = [
            ("step", .string(step.step)),
            ("count", .int(step.count)),
            ("conversion", SessionsResult.number(step.conversion)),
            ("from_previous", SessionsResult.number(step.fromPrevious)),
        ]
        if median { fields.append(("median_s_from_first", SessionsResult.number(step.medianSeconds))) }
        return .object(fields)
    }

    /// Long form: one row per (group, step); the whole funnel is the group `(all)`.
    public var csvTable: ResultTable {
        var t = ResultTable(columns: [
            .init("group"), .init("step_number", numeric: true), .init("step"), .init("count", numeric: true),
            .init("conversion", numeric: true), .init("from_previous", numeric: true), .init("median_s_from_first", numeric: true),
        ])
        let all = breakdownDimension == nil ? [("", steps)] : [("(all)", steps)] + groups.map { ($0.isOther ? "(other)" : $0.value ?? "(none)", $0.steps) }
        for (group, steps) in all {
            for (i, s) in steps.enumerated() {
                t.rows.append([group, String(i + 1), s.step, Cell.count(s.count), Cell.decimal(s.conversion, digits: 6),
                               Cell.decimal(s.fromPrevious, digits: 6), Cell.decimal(s.medianSeconds, digits: 3)])
            }
        }
        if breakdownDimension == nil { t.columns.removeFirst(); t.rows = t.rows.map { Array($0.dropFirst()) } }
        return t
    }

    public var tables: [ResultTable] {
        var main = ResultTable(title: "funnel, window \(JSONValue.number(windowSeconds)) s", columns: [
            .init("#", numeric: true), .init("step"), .init("count", numeric: true), .init("conversion", numeric: true),
            .init("from_previous", numeric: true), .init("median_s_from_first", numeric: true),
        ])
        main.rows = steps.enumerated().map { i, s in
            [String(i + 1), s.step, Cell.count(s.count), Cell.decimal(s.conversion, digits: 4),
             Cell.decimal(s.fromPrevious, digits: 4), Cell.decimal(s.medianSeconds, digits: 1)]
        }
        guard let breakdownDimension else { return [main] }
        var split = ResultTable(title: "by \(breakdownDimension) (value of the first step-1 event)", columns:
            [.init(breakdownDimension)] + steps.indices.map { .init("step \($0 + 1)", numeric: true) } + [.init("conversion", numeric: true)])
        split.rows = groups.map { g in
            [g.isOther ? "(other)" : g.value ?? "(none)"] + g.steps.map { Cell.count($0.count) }
                + [Cell.decimal(g.steps.last?.conversion, digits: 4)]
        }
        return [main, split]
    }
}
