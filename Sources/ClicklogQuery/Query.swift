import Foundation

/// One of the four queries of semantics.md with its own parameters; the common ones (range,
/// site, zone) are `QueryOptions`.
public enum Query: Sendable, Equatable {
    case sessions(SessionsQuery)
    case funnel(FunnelQuery)
    case top(TopQuery)
    case counts(CountsQuery)

    public var name: String {
        switch self {
        case .sessions: "sessions"
        case .funnel: "funnel"
        case .top: "top"
        case .counts: "counts"
        }
    }
}

/// How a query reads: which events (range, site), in which zone, how wide, in how much memory.
public struct QueryOptions: Sendable {
    public var range: TimeRange
    public var site: String?
    /// The zone of days and hours (`--tz`).
    public var zone: TimeZoneOffset
    /// Threads that decode and aggregate; all cores by default.
    public var threads: Int
    public var memoryLimit: Int
    /// Updated once per block when set, for a progress bar.
    public var progress: ScanProgress?

    public init(
        range: TimeRange = TimeRange(), site: String? = nil, zone: TimeZoneOffset = .utc,
        threads: Int = ProcessInfo.processInfo.activeProcessorCount,
        memoryLimit: Int = MemoryBudget.defaultLimit, progress: ScanProgress? = nil
    ) {
        self.range = range
        self.site = site
        self.zone = zone
        self.threads = max(1, threads)
        self.memoryLimit = memoryLimit
        self.progress = progress
    }
}

/// `clicklog query sessions`: sessions of `(site, anonymous_id)` split by an idle gap.
public struct SessionsQuery: Sendable, Equatable {
    /// The buckets a session is counted in, by the local time of its first event.
    public enum Bucket: Sendable, Equatable {
        /// `byDay` only: what the command line answers (semantics.md).
        case day
        /// `byDay` and `byHour`: for the report's sessions-per-hour chart. Not a flag, so the
        /// CLI's JSON stays as semantics.md fixes it; it costs one counting sort over the hours.
        case hour
    }

    /// A gap longer than this starts a new session; exactly this long stays. 30 min by default,
    /// the common web-analytics convention that semantics.md fixes.
    public var idle: Int64
    /// Day by default, the only bucket the command line knows.
    public var bucket: Bucket

    public init(idle: Int64 = 30 * 60_000, bucket: Bucket = .day) {
        self.idle = idle
        self.bucket = bucket
    }
}

/// Whose events a funnel follows.
public enum FunnelKey: String, Sendable, Equatable, CaseIterable {
    /// `(site, anonymous_id)`: a browser.
    case visitor
    /// `(site, user_id)`: a signed-in user across browsers; events without one are left out.
    case user
}

/// `clicklog query funnel`: how many visitors reach each step within the window
/// (ClickHouse's `windowFunnel`).
public struct FunnelQuery: Sendable, Equatable {
    public var steps: [FunnelStep]
    /// From a chain's step-1 event to its last step, inclusive; 1 h by default (semantics.md).
    public var window: Int64
    public var by: FunnelKey
    /// Splits the counts by this dimension's value on the visitor's first step-1 event.
    public var breakdown: Dimension?
    /// Breakdown groups shown, largest first; the rest are summed into one `(other)` group.
    public var breakdownLimit: Int

    public init(
        steps: [FunnelStep], window: Int64 = 3_600_000, by: FunnelKey = .visitor,
        breakdown: Dimension? = nil, breakdownLimit: Int = 20
    ) {
        self.steps = steps
        self.window = window
        self.by = by
        self.breakdown = breakdown
        self.breakdownLimit = breakdownLimit
    }

    /// Most steps a funnel may have: masks are 32-bit.
    public static let maxSteps = 32
}

/// `clicklog query top`: the most frequent values of a dimension.
public struct TopQuery: Sendable, Equatable {
    public var dimension: Dimension
    /// Only events with this name.
    public var event: String?
    public var limit: Int

    public init(dimension: Dimension, event: String? = nil, limit: Int = 10) {
        self.dimension = dimension
        self.event = event
        self.limit = limit
    }
}

/// `clicklog query counts`: events per interval per key.
public struct CountsQuery: Sendable, Equatable {
    public enum Interval: String, Sendable, Equatable, CaseIterable {
        case hour, day
    }

    public enum Key: String, Sendable, Equatable, CaseIterable {
        case event, site, path
    }

    public var interval: Interval
    public var by: Key

    public init(interval: Interval = .day, by: Key = .event) {
        self.interval = interval
        self.by = by
    }
}
