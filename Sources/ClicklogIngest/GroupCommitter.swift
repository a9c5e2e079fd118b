import ClicklogEvents
import ClicklogStorage
import Foundation
import Logging

/// The writer's committing thread: writes the blocks the sealers made, in the order their
/// groups were admitted, fsyncs once for all the groups that are ready, and only then reports
/// their envelopes durable (which releases their acks).
///
/// When a write or fsync fails (disk full, I/O error) nothing is acknowledged: the groups are
/// kept, `/healthz` turns 503, and the committer retries every `retryInterval`, reopening the
/// log (its recovery drops any half-written block) when the failure made it unusable. The
/// sealers stop behind it and back-pressure stops the sockets meanwhile, so memory stays
/// bounded.
///
/// `@unchecked Sendable`: created before its thread starts and used only by that thread
/// afterwards, except `abandonedEvents`, read after the thread ended.
final class GroupCommitter: @unchecked Sendable {
    private let store: EventStore
    private let window: SharedWindow
    private let queue: CommitQueue
    private let sealed: SealedGroupQueue
    private let metrics: IngestMetrics
    private let logger: Logger
    private let retrySeconds: Double
    private let onDurable: @Sendable ([EnvelopeCompletion], Int, Int) -> Void
    private var nextExpiry = 0 as UInt64
    private var failingSince: Date?
    private var lastFailureLog = Date.distantPast
    var abandonedEvents = 0

    init(
        store: EventStore, window: SharedWindow, queue: CommitQueue, sealed: SealedGroupQueue, metrics: IngestMetrics,
        logger: Logger, retrySeconds: Double, onDurable: @escaping @Sendable ([EnvelopeCompletion], Int, Int) -> Void
    ) {
        self.store = store
        self.window = window
        self.queue = queue
        self.sealed = sealed
        self.metrics = metrics
        self.logger = logger
        self.retrySeconds = retrySeconds
        self.onDurable = onDurable
    }

    func run() {
        while let groups = sealed.takeAll() {
            commit(groups)
            queue.committed(groups: groups.count)
        }
        do {
            try store.close()
        } catch {
            logger.error("closing the log failed", metadata: ["error": "\(error)"])
        }
    }

    private func commit(_ groups: [SealedGroup]) {
        guard write(groups) else {
            window.withLock { window in
                for group in groups { group.admitted.withUnsafeBufferPointer { window.rollback(hashes: $0) } }
            }
            abandonedEvents += groups.reduce(0) { $0 + $1.rows }
            return
        }
        let now = Clock.microseconds()
        let expire = CommitQueue.now() >= nextExpiry
        if expire { nextExpiry = CommitQueue.now() + 1_000_000_000 }
        let (ids, forgottenEarly) = window.withLock { window in
            for group in groups { group.admitted.withUnsafeBufferPointer { window.commit(hashes: $0, receivedAt: now) } }
            if expire { window.expire(now: now) }
            return (window.count, window.forgottenEarly)
        }
        var completions: [EnvelopeCompletion] = []
        var events = 0
        var bytes = 0
        for group in groups {
            completions += group.completions
            events += group.queuedEvents
            bytes += group.bytes
            metrics.eventsDuplicate.add(group.duplicates)
            metrics.eventsAccepted.add(group.rows)
        }
        metrics.deduplicationIDs.store(ids, ordering: .relaxed)
        metrics.deduplicationForgottenEarly.store(forgottenEarly, ordering: .relaxed)
        onDurable(completions, events, bytes)
    }

    /// Writes the groups and commits, retrying until it works; `false` when shutdown gave up.
    private func write(_ groups: [SealedGroup]) -> Bool {
        // Only duplicates: nothing to write, and the originals' commits came before.
        if groups.allSatisfy(\.storesNothing) { return true }
        var appended = 0
        var quarantined = 0
        let quarantine = groups.flatMap(\.quarantine)
        while true {
            let started = CommitQueue.now()
            do {
                if store.needsReopen {
                    try store.reopen()
                    appended = 0
                    logger.notice("reopened the log after a failure; writing the pending blocks again")
                }
                while appended < groups.count {
                    let group = groups[appended]
                    if let block = group.block {
                        try store.append(block)
                    } else if let rows = group.unencoded {
                        try store.append(unencoded: rows)
                    }
                    appended += 1
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
            for group in groups where group.rows > 0 {
                metrics.blocksWritten.add(1)
                metrics.blockEvents.record(Double(group.rows))
            }
            metrics.commitSeconds.record(seconds)
            recovered()
            return true
        }
    }

    private func failed(_ error: Error) {
        metrics.storageFailures.add(1)
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
}
