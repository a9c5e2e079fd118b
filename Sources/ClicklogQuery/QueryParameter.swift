import Foundation

/// Turns parameter text, from command-line flags or a saved query, into query values. `name` is
/// how the caller names the parameter in errors (`--window`, or `window` in a saved query), and
/// every error lists the accepted forms.
public enum QueryParameter {
    public static let durationForms = "a duration such as 30m, 1h, 90s, 1500ms, 1h30m or 2d"

    /// `30m`, `1h`, `90s`, `1500ms`, `1h30m`, `2d`, in milliseconds; a bare number is refused
    /// because its unit would be a guess.
    public static func duration(_ text: String, name: String) throws -> Int64 {
        let bytes = Array(text.trimmingCharacters(in: .whitespaces).utf8)
        var i = 0
        var total: Int64 = 0
        while i < bytes.count {
            var number: Int64 = 0
            let start = i
            while i < bytes.count, bytes[i] &- 48 < 10 {
                let (m, o1) = number.multipliedReportingOverflow(by: 10)
                let (a, o2) = m.addingReportingOverflow(Int64(bytes[i] - 48))
                guard !o1, !o2 else { throw QueryError.badOption(name, text, accepted: durationForms) }
                number = a
                i += 1
            }
            let unitStart = i
            while i < bytes.count, bytes[i] &- 48 >= 10 { i += 1 }
            let unit = String(decoding: bytes[unitStart..<i], as: UTF8.self)
            let scale: Int64? = switch unit {
            case "ms": 1
            case "s": 1000
            case "m", "min": 60_000
            case "h": 3_600_000
            case "d": 86_400_000
            default: nil
            }
            guard unitStart > start, let scale else { throw QueryError.badOption(name, text, accepted: durationForms) }
            let (part, o) = number.multipliedReportingOverflow(by: scale)
            guard !o else { throw QueryError.badOption(name, text, accepted: durationForms) }
            total += part
        }
        guard !bytes.isEmpty else { throw QueryError.badOption(name, text, accepted: durationForms) }
        return total
    }

    public static func positiveInt(_ text: String, name: String) throws -> Int {
        guard let n = Int(text), n > 0 else { throw QueryError.badOption(name, text, accepted: "a whole number of at least 1") }
        return n
    }

    public static func dimension(_ text: String, name: String) throws -> Dimension {
        guard let d = Dimension(text) else { throw QueryError.badOption(name, text, accepted: Dimension.acceptedForms) }
        return d
    }

    /// One of the raw values of `T`.
    public static func choice<T: RawRepresentable & CaseIterable>(_ text: String, name: String, as: T.Type = T.self) throws -> T
    where T.RawValue == String {
        guard let value = T(rawValue: text) else {
            throw QueryError.badOption(name, text, accepted: T.allCases.map(\.rawValue).joined(separator: ", "))
        }
        return value
    }

    /// Funnel steps in order; errors name the step by its number.
    public static func steps(_ texts: [String], name: String) throws -> [FunnelStep] {
        guard !texts.isEmpty else {
            throw QueryError.badOption(name, "", accepted: "at least one step, each \(FunnelStep.acceptedForms)")
        }
        guard texts.count <= FunnelQuery.maxSteps else {
            throw QueryError.badOption(name, "\(texts.count) steps", accepted: "at most \(FunnelQuery.maxSteps) steps")
        }
        return try texts.enumerated().map { i, text in
            switch FunnelStep.parse(text) {
            case let .success(step): return step
            case let .failure(error): throw QueryError.badStep(i + 1, text, reason: error.description)
            }
        }
    }

    /// The common options as query options; `now` anchors `today`, `7d` and the like.
    public static func options(
        site: String?, from: String?, to: String?, tz: String?, memoryLimit: String?, threads: Int?,
        now: Int64 = Int64(Date().timeIntervalSince1970 * 1000)
    ) throws -> QueryOptions {
        var options = QueryOptions()
        if let tz {
            guard let zone = TimeZoneOffset(tz) else { throw QueryError.badOption("--tz", tz, accepted: TimeZoneOffset.acceptedForms) }
            options.zone = zone
        }
        if let from {
            guard let ms = TimeExpression.milliseconds(from, now: now, zone: options.zone) else {
                throw QueryError.badOption("--from", from, accepted: TimeExpression.acceptedForms)
            }
            options.range.from = ms
        }
        if let to {
            guard let ms = TimeExpression.milliseconds(to, now: now, zone: options.zone) else {
                throw QueryError.badOption("--to", to, accepted: TimeExpression.acceptedForms)
            }
            options.range.to = ms
        }
        if let f = options.range.from, let t = options.range.to, f >= t {
            throw QueryError.badOption("--to", to!, accepted: "a time after --from \(from!)")
        }
        if let site {
            guard !site.isEmpty else { throw QueryError.badOption("--site", site, accepted: "a site key") }
            options.site = site
        }
        if let memoryLimit {
            guard let bytes = MemoryBudget.parse(memoryLimit) else {
                throw QueryError.badOption("--memory-limit", memoryLimit, accepted: MemoryBudget.acceptedForms)
            }
            options.memoryLimit = bytes
        }
        if let threads {
            guard threads >= 1 else { throw QueryError.badOption("--threads", String(threads), accepted: "a whole number of at least 1") }
            options.threads = threads
        }
        return options
    }
}
