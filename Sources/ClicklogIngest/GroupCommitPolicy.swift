/// When the writer seals a block: once the envelopes waiting hold `maxBlockEvents` events,
/// or once the oldest has waited `maxDelay`, or at shutdown, or as soon as the writer is idle
/// (no group being encoded or committed) and `minEagerEvents` are waiting. Pure, so it is tested with a made-up clock.
///
/// While a commit runs (encode, write, fsync), envelopes queue; under load blocks grow with
/// the load and the writer never idles, and at low load a message waits at most `maxDelay`
/// for company. In between, waiting out `maxDelay` while the disk has nothing to do only adds
/// latency: with many small messages in flight it was what bounded the server's rate (each
/// client's window of unacked messages waited ~10 ms per round). So once the writer is idle,
/// a group of `minEagerEvents` goes at once; the floor keeps blocks from shrinking to a
/// few events, which would cost disk space and a catalog row each.
struct GroupCommitPolicy: Sendable, Equatable {
    var maxBlockEvents: Int
    var maxDelayNanos: UInt64
    var minEagerEvents: Int = 512

    enum Decision: Equatable {
        /// Nothing queued.
        case idle
        /// Take the first `envelopes` of the queue as one group now.
        case seal(envelopes: Int)
        /// Wait for more until this time (monotonic nanoseconds), or until an envelope arrives.
        case wait(until: UInt64)
    }

    /// `queued` gives each waiting envelope's event count and hand-over time, oldest first;
    /// `writerIdle` whether no group is being encoded or committed.
    func decide(queued: [(events: Int, enqueuedAt: UInt64)], now: UInt64, stopping: Bool, writerIdle: Bool = false) -> Decision {
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
        let eager = writerIdle && events >= minEagerEvents
        if full || stopping || eager || now >= deadline { return .seal(envelopes: take) }
        return .wait(until: deadline)
    }
}
