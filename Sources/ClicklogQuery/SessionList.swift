/// Sessions as they are found: duration (ms), start bucket (local day or hour number; hours
/// since 1970 fit in 32 bits until the year 246 000) and events of each, and, while its visitor
/// may still turn out to have arrived out of order, the visitor.
///
/// Why the visitor is kept: the ordered pass (`BlockSessions`, `SessionJoin`) finds a visitor's
/// sessions before it has seen all of its events; if a later event is earlier than one before
/// it, every session of that visitor found so far is wrong and is dropped by visitor
/// (`removeSessions(of:)`), then recomputed from its sorted events. 20 bytes a session.
struct SessionList: Sendable {
    var durations: [Int64] = []
    var buckets: [Int32] = []
    var eventCounts: [Int32] = []
    /// The visitor of each session, or empty when the list does not track visitors.
    var visitors: [UInt32] = []

    static let bytesPerSession = 20

    var count: Int { durations.count }

    @inline(__always)
    mutating func append(start: Int64, last: Int64, events: Int32, bucket: Int64, visitor: UInt32?) {
        durations.append(last - start)
        buckets.append(Int32(truncatingIfNeeded: bucket))
        eventCounts.append(events)
        if let visitor { visitors.append(visitor) }
    }

    /// Appends the sessions of `other`, without their visitors.
    mutating func append(contentsOf other: SessionList) {
        durations += other.durations
        buckets += other.buckets
        eventCounts += other.eventCounts
    }

    /// Drops the sessions of the visitors flagged in `flagged` (indexed by visitor id; this list
    /// tracks visitors).
    mutating func removeSessions(of flagged: [Bool]) {
        var kept = 0
        for i in 0..<count where !flagged[Int(visitors[i])] {
            durations[kept] = durations[i]
            buckets[kept] = buckets[i]
            eventCounts[kept] = eventCounts[i]
            visitors[kept] = visitors[i]
            kept += 1
        }
        durations.removeLast(count - kept)
        buckets.removeLast(buckets.count - kept)
        eventCounts.removeLast(eventCounts.count - kept)
        visitors.removeLast(visitors.count - kept)
    }
}
