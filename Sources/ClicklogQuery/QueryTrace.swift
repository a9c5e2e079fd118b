import Dispatch

/// Phase timings of a query (scan, group, walk, ...), for `CLICKLOG_QUERY_TRACE=1` and the
/// measurements in docs/query.md. Costs two clock reads per phase, so it is always on.
public final class QueryTrace: @unchecked Sendable {
    public struct Phase: Sendable, Equatable {
        public var name: String
        public var seconds: Double
    }

    private let lock = QueryLock()
    private var phases: [Phase] = []

    public init() {}

    public var recorded: [Phase] { lock.withLock { phases } }

    /// Runs `body` as the phase `name`.
    public func measure<R>(_ name: String, _ body: () throws -> R) rethrows -> R {
        let start = DispatchTime.now().uptimeNanoseconds
        defer {
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            lock.withLock { phases.append(Phase(name: name, seconds: seconds)) }
        }
        return try body()
    }

    /// `scan 0.312 s, group 0.041 s, ...`
    public var summary: String {
        recorded.map { "\($0.name) \(String(Int(($0.seconds * 1000).rounded()))) ms" }.joined(separator: ", ")
    }
}

extension Optional where Wrapped == QueryTrace {
    /// Measures when tracing, runs plainly otherwise.
    func measure<R>(_ name: String, _ body: () throws -> R) rethrows -> R {
        guard let trace = self else { return try body() }
        return try trace.measure(name, body)
    }
}
