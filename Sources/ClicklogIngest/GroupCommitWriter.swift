import ClicklogEvents
import ClicklogStorage
import Foundation
import Logging

/// The single writer of the log, as threads in a pipeline: `GroupSealer`s take groups of
/// envelopes from all event loops, deduplicate them in turn and encode each as one block in
/// parallel, and the `GroupCommitter` writes the blocks in admission order, fsyncs, and only
/// then reports their envelopes durable (which releases their acks). While one group's fsync
/// runs, the next ones are encoded.
final class GroupCommitWriter: Sendable {
    private let queue: CommitQueue
    private let sealers: [GroupSealer]
    private let committer: GroupCommitter
    /// Envelope batches on their way back from the sealers to the event loops.
    let recycler: Recycler<EventBatch>
    private let finished = DispatchSemaphore(value: 0)

    init(
        store: EventStore, deduplication: DeduplicationWindow, options: ServerConfiguration.GroupCommitOptions,
        metrics: IngestMetrics, logger: Logger, onDurable: @escaping @Sendable ([EnvelopeCompletion], _ events: Int, _ bytes: Int) -> Void
    ) {
        let queue = CommitQueue(policy: GroupCommitPolicy(
            maxBlockEvents: options.maxBlockEvents,
            maxDelayNanos: UInt64(options.maxDelay.nanoseconds),
            minEagerEvents: options.minEagerEvents))
        self.queue = queue
        let window = SharedWindow(deduplication)
        let count = max(1, options.encoderThreads)
        let sealed = SealedGroupQueue(producers: count)
        let turn = SealerTurn()
        let recycler = Recycler(limit: 32) { EventBatch() }
        self.recycler = recycler
        sealers = (0..<count).map { _ in
            GroupSealer(
                queue: queue, sealed: sealed, window: window, turn: turn, recycler: recycler, compression: store.compression)
        }
        committer = GroupCommitter(
            store: store, window: window, queue: queue, sealed: sealed, metrics: metrics, logger: logger,
            retrySeconds: Double(options.retryInterval.nanoseconds) / 1e9, onDurable: onDurable)
        metrics.deduplicationIDs.store(deduplication.count, ordering: .relaxed)
    }

    func start() {
        for (i, sealer) in sealers.enumerated() {
            let sealing = Thread { sealer.run() }
            sealing.name = "clicklog-seal-\(i)"
            sealing.start()
        }
        let committer = self.committer
        let finished = self.finished
        // The committer ends after the sealers (it waits for every sealer's `finish`).
        let committing = Thread {
            committer.run()
            finished.signal()
        }
        committing.name = "clicklog-commit"
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
        return sealers.reduce(committer.abandonedEvents) { $0 + $1.abandonedEvents }
    }
}
