import ClicklogEvents
import ClicklogStorage
import Foundation

/// One group of envelopes made into a block by a sealer, on its way to the committer: the
/// rows left after deduplication, encoded, with what its envelopes need once it is durable.
struct SealedGroup: Sendable {
    /// Rows to store (0 when every event was a duplicate).
    var rows: Int
    /// The rows, encoded; nil when there are none, or when encoding failed.
    var block: EncodedBlock?
    /// The rows themselves, only when encoding failed: the store then encodes them again and
    /// reports the error, and the committer retries as with any failed write.
    var unencoded: EventBatch?
    var quarantine: [QuarantineItem]
    var completions: [EnvelopeCompletion]
    /// The id hashes this group admitted as pending: committed with it, or rolled back.
    var admitted: [UInt64]
    /// Events the envelopes brought (stored and duplicates) and their message bytes, released
    /// from back-pressure once durable.
    var queuedEvents: Int
    var bytes: Int
    var duplicates: Int

    var storesNothing: Bool { rows == 0 && quarantine.isEmpty }
}

/// The hand-over from the sealers to the committer, in group order: sealers finish encoding
/// out of order, the committer takes groups strictly by their sequence number (the order in
/// which they were admitted). Bounded, so that when the disk is slow or failing the sealers
/// stop taking envelopes and back-pressure reaches the sockets.
///
/// `@unchecked Sendable`: every stored property is used only while `condition` is locked.
final class SealedGroupQueue: @unchecked Sendable {
    private let condition = NSCondition()
    private var groups: [UInt64: SealedGroup] = [:]
    /// The next sequence number the committer takes.
    private var next: UInt64 = 0
    private var producers: Int
    /// Groups sealed and not yet taken, beyond the one the committer waits for: one per sealer
    /// and one more waiting for the committer's fsync; more would only add memory and latency.
    let capacity: Int

    init(producers: Int) {
        self.producers = producers
        capacity = producers + 1
    }

    /// Queues group `sequence`; waits while full, except for the group the committer waits
    /// for (which must never wait behind later ones).
    func push(_ group: SealedGroup, sequence: UInt64) {
        condition.lock()
        while groups.count >= capacity && sequence != next { condition.wait() }
        groups[sequence] = group
        condition.broadcast()
        condition.unlock()
    }

    /// One sealer has no more groups.
    func finish() {
        condition.lock()
        producers -= 1
        condition.broadcast()
        condition.unlock()
    }

    /// Waits for the next group and takes it with every group that follows it without a gap
    /// (they share one fsync); `nil` once every sealer finished and nothing is left.
    func takeAll() -> [SealedGroup]? {
        condition.lock()
        defer { condition.unlock() }
        while groups[next] == nil {
            if producers == 0 && groups.isEmpty { return nil }
            condition.wait()
        }
        var taken: [SealedGroup] = []
        while let group = groups.removeValue(forKey: next) {
            taken.append(group)
            next += 1
        }
        condition.broadcast()
        return taken
    }
}
