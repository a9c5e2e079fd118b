import ClicklogEvents
import ClicklogStorage
import Foundation

/// One group of envelopes made into a block by the sealer, on its way to the committer: the
/// rows left after deduplication, encoded, with what its envelopes need once it is durable.
struct SealedGroup: Sendable {
    /// The rows to store (empty when every event was a duplicate).
    var batch: EventBatch
    /// `batch` encoded; nil when empty, or when encoding failed (the store then encodes and
    /// reports the error, and the committer retries as with any failed write).
    var block: EncodedBlock?
    var quarantine: [QuarantineItem]
    var completions: [EnvelopeCompletion]
    /// The id hashes this group admitted as pending: committed with it, or rolled back.
    var admitted: [UInt64]
    /// Events the envelopes brought (stored and duplicates) and their message bytes, released
    /// from back-pressure once durable.
    var queuedEvents: Int
    var bytes: Int
    var duplicates: Int

    var storesNothing: Bool { batch.count == 0 && quarantine.isEmpty }
}

/// The hand-over from the sealer to the committer: bounded, so that when the disk is slow or
/// failing the sealer stops taking envelopes and back-pressure reaches the sockets.
///
/// `@unchecked Sendable`: every stored property is used only while `condition` is locked.
final class SealedGroupQueue: @unchecked Sendable {
    private let condition = NSCondition()
    private var groups: [SealedGroup] = []
    private var finished = false
    /// Groups sealed and not yet taken. Two: one being encoded while one waits for the
    /// committer's fsync; more would only add memory and latency.
    let capacity: Int

    init(capacity: Int = 2) {
        self.capacity = capacity
    }

    /// Waits while full, then queues `group`.
    func push(_ group: SealedGroup) {
        condition.lock()
        while groups.count >= capacity { condition.wait() }
        groups.append(group)
        condition.broadcast()
        condition.unlock()
    }

    /// The sealer has no more groups.
    func finish() {
        condition.lock()
        finished = true
        condition.broadcast()
        condition.unlock()
    }

    /// Waits for groups and takes all of them (they share one fsync); `nil` once finished and
    /// empty. `idle` is called, outside the lock, when there is nothing to take, before waiting.
    func takeAll(idle: () -> Void) -> [SealedGroup]? {
        condition.lock()
        defer { condition.unlock() }
        if groups.isEmpty && !finished {
            condition.unlock()
            idle()
            condition.lock()
        }
        while groups.isEmpty {
            if finished { return nil }
            condition.wait()
        }
        let taken = groups
        groups = []
        condition.broadcast()
        return taken
    }
}
