/// The JSON type of a property value. Values are stored as their text so that a number keeps
/// exactly the digits the client sent (no rounding through `Double`).
public enum PropKind: UInt8, Sendable, CaseIterable {
    /// A string; the stored text is the decoded string.
    case string = 0
    /// A JSON number; the stored text is the number literal as sent.
    case number = 1
    case `true` = 2
    case `false` = 3
    /// `null`; the stored text is empty.
    case null = 4
    /// An array, kept as its JSON text as sent.
    case array = 5
}
