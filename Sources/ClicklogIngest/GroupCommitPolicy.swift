/// When the writer seals a block: once the envelopes waiting hold `maxBlockEvents` events,
/// or once the oldest has waited `maxDelay`, or at shutdown. Pure, so it is tested with a
/// made-up clock.
///
/// While a commit runs (encode, write, fsync), envelopes queue; when it ends the oldest has
/// usually waited longer than `maxDelay`, so under load blocks grow with the load and the
/// writer never idles, and at low load a message waits at most `maxDelay` for company.
struct GroupCommitPolicy: Sendable, Equatable {
    var maxBlockEvents: Int
    var maxDelayNanos: UInt64

    enum Decision: Equatable {
        /// Nothing queued.
        case idle
        /// Take the first `envelopes` of the queue as one group now.
        case seal(envelopes: Int)
        /// Wait for more until this time (monotonic nanoseconds), or until an envelope arrives.
        case wait(until: UInt64)
    }

    /// `queued` gives each waiting envelope's event count and hand-over time, oldest first.
    func decide(queued: [(events: Int, enqueuedAt: UInt64)], now: UInt64, stopping: Bool) -> Decision {
        guard let first = queued.first else { return .idle }
        var take = 0
        var events = 0
        for envelope in queued {
            if take > 0 && events + envelope.events > maxBlockEvents { break }
            take += 1
            events += envelope.events
        }
        let full = take < queued.count || events >= maxBlockEvents
        let deadline = first.enqueuedAt &+ maxDelayNanos
        if full || stopping || now >= deadline { return .seal(envelopes: take) }
        return .wait(until: deadline)
    }
}
