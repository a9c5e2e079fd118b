/// Why an export or a report failed, in one line that says what to do.
public struct ReportError: Error, CustomStringConvertible {
    private enum Kind {
        case io, sqlite, badInput
    }

    private let kind: Kind
    public let description: String

    private init(_ kind: Kind, _ description: String) {
        self.kind = kind
        self.description = description
    }

    static func io(_ message: String) -> ReportError { ReportError(.io, message) }
    static func sqlite(_ message: String) -> ReportError { ReportError(.sqlite, "SQLite: \(message)") }
    static func badInput(_ message: String) -> ReportError { ReportError(.badInput, message) }

    /// Whether the user gave something wrong (as opposed to the machine failing).
    public var isBadInput: Bool { kind == .badInput }
}
