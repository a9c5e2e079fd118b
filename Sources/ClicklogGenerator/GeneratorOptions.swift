/// What to generate: how many events, from which seed, over which days, and how to frame them.
public struct GeneratorOptions: Sendable, Equatable {
    /// Most days the traffic may span: ten years keeps every time offset well inside the
    /// generator's 39-bit keys and the calibration tables small.
    public static let maxDays = 3650
    /// Most events per batch message (protocol.md, "Messages").
    public static let maxBatchSize = 1000
    /// 2026-01-01T00:00:00Z, the default start.
    public static let defaultStart: Int64 = 1_767_225_600_000
    /// Earliest and latest start: the protocol rejects `ts` before 2000, and the end of 2199 is far
    /// enough for anyone.
    static let startRange: Range<Int64> = 946_684_800_000..<7_258_118_400_000

    /// Exactly this many events are generated.
    public var events: Int
    /// The same seed gives the same bytes, on every platform.
    public var seed: UInt64
    /// Every event's `ts` falls in `start ..< start + days × 24 h`.
    public var days: Int
    /// Start of the time window, epoch milliseconds (UTC).
    public var start: Int64
    /// Events per batch message; 0 writes one event object per line instead.
    public var batchSize: Int

    public init(events: Int, seed: UInt64 = 1, days: Int = 7, start: Int64 = Self.defaultStart, batchSize: Int = 0) {
        self.events = events
        self.seed = seed
        self.days = days
        self.start = start
        self.batchSize = batchSize
    }

    /// The time window as epoch milliseconds.
    public var window: Range<Int64> { start..<(start + Int64(days) * 86_400_000) }

    public func validate() throws(GeneratorError) {
        guard events >= 0 else { throw .negativeEventCount(events) }
        guard (1...Self.maxDays).contains(days) else { throw .days(days) }
        guard (0...Self.maxBatchSize).contains(batchSize) else { throw .batchSize(batchSize) }
        guard Self.startRange.contains(start) else { throw .start(start) }
    }

    /// The calendar day (UTC, proleptic Gregorian) an epoch-millisecond time falls on, as
    /// `YYYY-MM-DD`; the inverse of `startOfDay`.
    public static func calendarDay(of epochMillis: Int64) -> String {
        let days = Int(epochMillis >= 0 ? epochMillis / 86_400_000 : (epochMillis + 1) / 86_400_000 - 1)
        // Civil from days (Howard Hinnant's algorithm).
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        func pad(_ n: Int, _ width: Int) -> String {
            let digits = String(n)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
    }

    /// Epoch milliseconds of midnight UTC at the start of a calendar day (proleptic Gregorian),
    /// or nil for an invalid date such as February 30.
    public static func startOfDay(year: Int, month: Int, day: Int) -> Int64? {
        guard (1...12).contains(month), day >= 1 else { return nil }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let monthDays = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        guard day <= monthDays[month - 1] else { return nil }
        // Days from civil (Howard Hinnant's algorithm).
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return Int64(era * 146_097 + dayOfEra - 719_468) * 86_400_000
    }
}
