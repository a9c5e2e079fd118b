/// Decides whether an event `id` was already stored. The parser asks it for every valid event
/// that carries an `id`, so a duplicate never reaches a column.
///
/// A filter must not remember an id for good before its event is durable; otherwise a failed
/// commit followed by the client's resend would drop the event as a duplicate.
public protocol DuplicateFilter {
    /// Returns `true` to keep the event, `false` when it is a duplicate.
    mutating func admit(id: UnsafeRawBufferPointer) -> Bool

    /// Whether `admit` returns `true` for every id without remembering any, so the parser
    /// need not ask it (the importer decides duplicates later, in file order). `false` by default.
    static var admitsEveryID: Bool { get }
}

extension DuplicateFilter {
    public static var admitsEveryID: Bool { false }
}

/// Keeps every event: for tools and tests that do not deduplicate.
public struct AdmitAll: DuplicateFilter {
    public init() {}
    public func admit(id: UnsafeRawBufferPointer) -> Bool { true }
    public static var admitsEveryID: Bool { true }
}
