import ClicklogEvents
import ClicklogStorage
import Foundation
import Logging

/// The single writer of the log, as two threads in a pipeline: the `GroupSealer` takes groups
/// of envelopes from all event loops, deduplicates and encodes each as one block, and the
/// `GroupCommitter` writes the blocks in order, fsyncs, and only then reports their envelopes
/// durable (which releases their acks). While one group's fsync runs, the next is encoded.
final class GroupCommitWriter: Sendable {
    private let queue: CommitQueue
    private let sealer: GroupSealer
    private let committer: GroupCommitter
    private let finished = DispatchSemaphore(value: 0)

    init(
        store: EventStore, deduplication: DeduplicationWindow, options: ServerConfiguration.GroupCommitOptions,
        metrics: IngestMetrics, logger: Logger, onDurable: @escaping @Sendable ([EnvelopeCompletion], _ events: Int, _ bytes: Int) -> Void
    ) {
        queue = CommitQueue(policy: GroupCommitPolicy(
            maxBlockEvents: options.maxBlockEvents,
            maxDelayNanos: UInt64(options.maxDelay.nanoseconds),
            minEagerEvents: options.minEagerEvents))
        let window = SharedWindow(deduplication)
        let sealed = SealedGroupQueue()
        sealer = GroupSealer(queue: queue, sealed: sealed, window: window, compression: store.compression)
        committer = GroupCommitter(
            store: store, window: window, queue: queue, sealed: sealed, metrics: metrics, logger: logger,
            retrySeconds: Double(options.retryInterval.nanoseconds) / 1e9, onDurable: onDurable)
        metrics.deduplicationIDs.store(deduplication.count, ordering: .relaxed)
    }

    func start() {
        let sealer = self.sealer
        let committer = self.committer
        let finished = self.finished
        let sealing = Thread { sealer.run() }
        sealing.name = "clicklog-sealer"
        // The committer ends after the sealer (it waits for the sealer's `finish`).
        let committing = Thread {
            committer.run()
            finished.signal()
        }
        committing.name = "clicklog-commit"
        sealing.start()
        committing.start()
    }

    /// Hands an envelope to the writer.
    func submit(_ envelope: CommitEnvelope) {
        queue.push(envelope)
    }

    /// Commits what is queued and stops both threads. If that takes longer than `timeout` (the
    /// storage keeps failing), gives up on the rest. Returns the events that were not stored.
    func stop(timeout: Duration) -> Int {
        queue.stop()
        let seconds = Double(timeout.nanoseconds) / 1e9
        if finished.wait(timeout: .now() + seconds) == .timedOut {
            queue.abandon()
            finished.wait()
        }
        return sealer.abandonedEvents + committer.abandonedEvents
    }
}
