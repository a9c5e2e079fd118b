import ClicklogEvents

/// One funnel step: `EVENT [path=GLOB] [selector=GLOB] [prop.KEY=VALUE]...`. An event matches
/// when its name is EVENT and every condition holds; a condition on a missing field fails.
///
/// Values may be double-quoted to hold spaces (`selector="button.buy now"`). A `prop.` value is
/// compared exactly with the property's stored text (see `Dimension.prop`); `path` and
/// `selector` are `Glob`s.
public struct FunnelStep: Sendable, Equatable, CustomStringConvertible {
    /// The step as given, for output.
    public let text: String
    public let event: String
    public var path: Glob?
    public var selector: Glob?
    public var props: [(key: String, value: String)] { propConditions.map { ($0.key, $0.value) } }

    struct PropCondition: Sendable, Equatable {
        let key: String
        let value: String
        let keyBytes: [UInt8]
        let valueBytes: [UInt8]

        init(key: String, value: String) {
            self.key = key
            self.value = value
            keyBytes = Array(key.utf8)
            valueBytes = Array(value.utf8)
        }
    }

    let propConditions: [PropCondition]

    public static let acceptedForms = "EVENT [path=GLOB] [selector=GLOB] [prop.KEY=VALUE]"

    /// Parses a step; the error message says what is wrong (the caller adds which step).
    public static func parse(_ text: String) -> Result<FunnelStep, StepSyntaxError> {
        let tokens: [String]
        switch tokenize(text) {
        case let .success(t): tokens = t
        case let .failure(e): return .failure(e)
        }
        guard let event = tokens.first else { return .failure(StepSyntaxError("the step is empty")) }
        guard !event.contains("=") else {
            return .failure(StepSyntaxError("it must start with an event name, not '\(event)'"))
        }
        var path: Glob?
        var selector: Glob?
        var props: [PropCondition] = []
        for token in tokens.dropFirst() {
            guard let eq = token.firstIndex(of: "=") else {
                return .failure(StepSyntaxError("'\(token)' is not a condition (KEY=VALUE)"))
            }
            let key = String(token[..<eq])
            let value = String(token[token.index(after: eq)...])
            switch key {
            case "path":
                guard path == nil else { return .failure(StepSyntaxError("path= is given twice")) }
                path = Glob(value)
            case "selector":
                guard selector == nil else { return .failure(StepSyntaxError("selector= is given twice")) }
                selector = Glob(value)
            default:
                guard key.hasPrefix("prop."), key.count > 5 else {
                    return .failure(StepSyntaxError("unknown condition '\(key)='; conditions are path=, selector= and prop.KEY="))
                }
                props.append(PropCondition(key: String(key.dropFirst(5)), value: value))
            }
        }
        return .success(FunnelStep(text: text, event: event, path: path, selector: selector, propConditions: props))
    }

    public var description: String { text }

    /// Splits on spaces, keeping double-quoted runs together (quotes removed).
    static func tokenize(_ text: String) -> Result<[String], StepSyntaxError> {
        var tokens: [String] = []
        var current = ""
        var inQuotes = false
        var started = false
        for c in text {
            if c == "\"" {
                inQuotes.toggle()
                started = true
            } else if c.isWhitespace, !inQuotes {
                if started { tokens.append(current) }
                current = ""
                started = false
            } else {
                current.append(c)
                started = true
            }
        }
        guard !inQuotes else { return .failure(StepSyntaxError("a double quote is not closed")) }
        if started { tokens.append(current) }
        return .success(tokens)
    }
}

/// Why a step does not parse.
public struct StepSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
