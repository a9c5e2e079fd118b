/// Why the generator cannot run with the options it was given.
public struct GeneratorError: Error, Sendable, Equatable, CustomStringConvertible {
    private enum Reason: Equatable {
        case negativeEventCount(Int)
        case days(Int)
        case batchSize(Int)
        case start(Int64)
    }

    private let reason: Reason

    static func negativeEventCount(_ n: Int) -> Self { Self(reason: .negativeEventCount(n)) }
    static func days(_ d: Int) -> Self { Self(reason: .days(d)) }
    static func batchSize(_ b: Int) -> Self { Self(reason: .batchSize(b)) }
    static func start(_ ms: Int64) -> Self { Self(reason: .start(ms)) }

    public var description: String {
        switch reason {
        case .negativeEventCount(let n):
            "the number of events is \(n); give 0 or more"
        case .days(let d):
            "the traffic cannot span \(d) days; give 1 to \(GeneratorOptions.maxDays) days"
        case .batchSize(let b):
            "a batch of \(b) events is not allowed; give 0 (one event per line) or 1 to \(GeneratorOptions.maxBatchSize) (the protocol's limit per message)"
        case .start(let ms):
            "the traffic cannot start on \(GeneratorOptions.calendarDay(of: ms)) (\(ms) epoch ms); give a start from 2000-01-01 (the protocol rejects earlier times) to 2199-12-31"
        }
    }
}
