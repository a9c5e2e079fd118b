import ClicklogEvents
import ClicklogStorage
import Foundation
import Logging

/// The single writer: one dedicated thread that takes groups of envelopes from all event
/// loops, drops events whose id is already stored, writes the group as one block, fsyncs,
/// and only then reports the envelopes durable (which releases their acks).
///
/// Deduplication happens here, in commit order, not on the event loops: an id admitted by a
/// group stays *pending* until that group is durable, and a resend of it in a later group is
/// a duplicate acknowledged after the original's commit. Deciding on the loops would let a
/// duplicate's ack overtake the commit of its original on another loop.
///
/// When a write or fsync fails (disk full, I/O error) nothing is acknowledged: the group is
/// kept, `/healthz` turns 503, and the writer retries every `retryInterval`, reopening the log
/// (its recovery drops any half-written block) when the failure made it unusable. Back-pressure
/// stops the sockets meanwhile, so memory stays bounded.
final class GroupCommitWriter: Sendable {
    private let queue: CommitQueue
    private let loop: WriterLoop
    private let finished = DispatchSemaphore(value: 0)

    init(
        store: EventStore, deduplication: DeduplicationWindow, options: ServerConfiguration.GroupCommitOptions,
        metrics: IngestMetrics, logger: Logger, onDurable: @escaping @Sendable ([EnvelopeCompletion], _ events: Int, _ bytes: Int) -> Void
    ) {
        queue = CommitQueue(policy: GroupCommitPolicy(
            maxBlockEvents: options.maxBlockEvents,
            maxDelayNanos: UInt64(options.maxDelay.nanoseconds)))
        loop = WriterLoop(
            store: store, window: deduplication, queue: queue, metrics: metrics, logger: logger,
            retrySeconds: Double(options.retryInterval.nanoseconds) / 1e9, onDurable: onDurable)
    }

    func start() {
        let loop = self.loop
        let finished = self.finished
        let thread = Thread {
            loop.run()
            finished.signal()
        }
        thread.name = "clicklog-writer"
        thread.start()
    }

    /// Hands an envelope to the writer.
    func submit(_ envelope: CommitEnvelope) {
        queue.push(envelope)
    }

    /// Commits what is queued and stops the thread. If that takes longer than `timeout` (the
    /// storage keeps failing), gives up on the rest. Returns the events that were not stored.
    func stop(timeout: Duration) -> Int {
        queue.stop()
        let seconds = Double(timeout.nanoseconds) / 1e9
        if finished.wait(timeout: .now() + seconds) == .timedOut {
            queue.abandon()
            finished.wait()
        }
        return loop.abandonedEvents
    }
}

/// The writer thread's state. `@unchecked Sendable`: created before the thread starts and
/// used only by that thread afterwards, except `abandonedEvents`, read after the thread ended
/// (the semaphore orders the accesses).
private final class WriterLoop: @unchecked Sendable {
    private let store: EventStore
    private var window: DeduplicationWindow
    private let queue: CommitQueue
    private let metrics: IngestMetrics
    private let logger: Logger
    private let retrySeconds: Double
    private let onDurable: @Sendable ([EnvelopeCompletion], Int, Int) -> Void
    private var nextExpiry = 0 as UInt64
    private var failingSince: Date?
    private var lastFailureLog = Date.distantPast
    var abandonedEvents = 0

    init(
        store: EventStore, window: DeduplicationWindow, queue: CommitQueue, metrics: IngestMetrics, logger: Logger,
        retrySeconds: Double, onDurable: @escaping @Sendable ([EnvelopeCompletion], Int, Int) -> Void
    ) {
        self.store = store
        self.window = window
        self.queue = queue
        self.metrics = metrics
        self.logger = logger
        self.retrySeconds = retrySeconds
        self.onDurable = onDurable
        metrics.deduplicationIDs.store(window.count, ordering: .relaxed)
    }

    func run() {
        while let group = queue.nextGroup() {
            process(group)
        }
        for envelope in queue.drain() { abandonedEvents += envelope.events }
        do {
            try store.close()
        } catch {
            logger.error("closing the log failed", metadata: ["error": "\(error)"])
        }
    }

    private func process(_ envelopes: [CommitEnvelope]) {
        var group = envelopes
        var merged = EventBatch()
        var quarantine: [QuarantineItem] = []
        var completions: [EnvelopeCompletion] = []
        completions.reserveCapacity(group.count)
        var bytes = 0
        var duplicates = 0
        for i in group.indices {
            var batch = group[i].batch
            group[i].batch = EventBatch()  // so `batch` is uniquely referenced
            let perMessage = removeDuplicates(from: &batch, messageRowEnds: group[i].messageRowEnds)
            duplicates += perMessage?.reduce(0, +) ?? 0
            completions.append(EnvelopeCompletion(shard: group[i].shard, id: group[i].id, duplicates: perMessage))
            merged.append(contentsOf: batch)
            quarantine += group[i].quarantine
            bytes += group[i].bytes
        }
        let queuedEvents = merged.count + duplicates

        guard write(merged, quarantine: quarantine) else {
            window.rollback(idsOf: merged)
            abandonedEvents += merged.count
            return
        }
        window.commit(idsOf: merged)
        let now = CommitQueue.now()
        if now >= nextExpiry {
            window.expire(now: Clock.microseconds())
            nextExpiry = now + 1_000_000_000
        }
        metrics.deduplicationIDs.store(window.count, ordering: .relaxed)
        metrics.eventsDuplicate.add(duplicates, ordering: .relaxed)
        metrics.eventsAccepted.add(merged.count, ordering: .relaxed)
        onDurable(completions, queuedEvents, bytes)
    }

    /// Writes and commits, retrying until it works; `false` when shutdown gave up on it.
    private func write(_ batch: EventBatch, quarantine: [QuarantineItem]) -> Bool {
        // Only duplicates: nothing to write, and the originals' commits came before.
        if batch.count == 0 && quarantine.isEmpty { return true }
        var appended = false
        var quarantined = 0
        while true {
            let started = CommitQueue.now()
            do {
                if store.needsReopen {
                    try store.reopen()
                    appended = false
                    logger.notice("reopened the log after a failure; writing the pending block again")
                }
                if !appended && batch.count > 0 {
                    try store.append(batch)
                    appended = true
                }
                while quarantined < quarantine.count {
                    try store.quarantine(quarantine[quarantined])
                    quarantined += 1
                }
                try store.commit()
            } catch {
                failed(error)
                if queue.sleep(seconds: retrySeconds) { return false }
                continue
            }
            let seconds = Double(CommitQueue.now() - started) / 1e9
            if batch.count > 0 {
                metrics.blocksWritten.add(1, ordering: .relaxed)
                metrics.blockEvents.withLock { $0.observe(Double(batch.count)) }
            }
            metrics.commitSeconds.withLock { $0.observe(seconds) }
            recovered()
            return true
        }
    }

    private func failed(_ error: Error) {
        metrics.storageFailures.add(1, ordering: .relaxed)
        metrics.storageHealthy.store(false, ordering: .relaxed)
        metrics.storageError.withLock { $0 = "\(error)" }
        let now = Date()
        if failingSince == nil {
            failingSince = now
            lastFailureLog = now
            logger.error(
                "cannot store events; acks are held and /healthz answers 503 until a retry succeeds",
                metadata: ["error": "\(error)", "retry_seconds": "\(retrySeconds)"])
        } else if now.timeIntervalSince(lastFailureLog) >= 60 {
            lastFailureLog = now
            logger.error(
                "still cannot store events",
                metadata: ["error": "\(error)", "failing_seconds": "\(Int(now.timeIntervalSince(failingSince!)))"])
        }
    }

    private func recovered() {
        guard let since = failingSince else { return }
        failingSince = nil
        metrics.storageError.withLock { $0 = nil }
        metrics.storageHealthy.store(true, ordering: .relaxed)
        logger.notice("storage works again; held acks are being sent", metadata: [
            "failed_seconds": "\(Int(Date().timeIntervalSince(since)))",
        ])
    }

    /// Drops rows whose id is stored or pending, in row order; returns the count per message
    /// (`nil` when nothing was dropped).
    private func removeDuplicates(from batch: inout EventBatch, messageRowEnds: [Int]) -> [Int]? {
        var perMessage: [Int]?
        var dropped: [Int] = []
        var message = 0
        for row in 0..<batch.count {
            while row >= messageRowEnds[message] { message += 1 }
            guard !batch.id.isNull(row) else { continue }
            if !batch.id.withBytes(at: row, { window.admit(id: $0) }) {
                if perMessage == nil { perMessage = Array(repeating: 0, count: messageRowEnds.count) }
                perMessage![message] += 1
                dropped.append(row)
            }
        }
        guard !dropped.isEmpty else { return nil }
        var next = 0
        batch.filterRows(from: 0) { row in
            if next < dropped.count && dropped[next] == row {
                next += 1
                return false
            }
            return true
        }
        return perMessage
    }
}
