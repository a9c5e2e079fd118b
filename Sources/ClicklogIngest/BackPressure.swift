import Synchronization

/// Bounds the work between the sockets and the disk: events and message bytes handed to the
/// writer and not yet durable. Over either limit, the event loops stop reading from sockets
/// (TCP flow control then slows the clients down); below half of both, they read again.
///
/// The half-way resume point keeps the loops from flapping between paused and reading on
/// every block.
final class BackPressure: Sendable {
    let maxEvents: Int
    let maxBytes: Int
    private let metrics: IngestMetrics
    /// Set by a loop that paused; cleared by whoever wakes the loops.
    private let somePaused = Atomic<Bool>(false)

    init(maxEvents: Int, maxBytes: Int, metrics: IngestMetrics) {
        self.maxEvents = maxEvents
        self.maxBytes = maxBytes
        self.metrics = metrics
    }

    var isOverLimit: Bool {
        metrics.queuedEvents.load(ordering: .relaxed) >= maxEvents || metrics.queuedBytes.load(ordering: .relaxed) >= maxBytes
    }

    var isBelowResumePoint: Bool {
        metrics.queuedEvents.load(ordering: .sequentiallyConsistent) < maxEvents / 2
            && metrics.queuedBytes.load(ordering: .sequentiallyConsistent) < maxBytes / 2
    }

    /// An envelope was handed to the writer.
    func added(events: Int, bytes: Int) {
        metrics.queuedEvents.add(events, ordering: .relaxed)
        metrics.queuedBytes.add(bytes, ordering: .relaxed)
    }

    /// A loop is about to pause. Returns `false` when, after announcing it, the queue is
    /// already below the resume point (the writer may have drained it in between and seen
    /// no one paused): then the loop must not pause.
    func announcePause() -> Bool {
        somePaused.store(true, ordering: .sequentiallyConsistent)
        return !isBelowResumePoint
    }

    /// Envelopes became durable. Returns `true` when paused loops should be woken.
    func removed(events: Int, bytes: Int) -> Bool {
        metrics.queuedEvents.subtract(events, ordering: .sequentiallyConsistent)
        metrics.queuedBytes.subtract(bytes, ordering: .sequentiallyConsistent)
        guard isBelowResumePoint else { return false }
        return somePaused.exchange(false, ordering: .sequentiallyConsistent)
    }
}
