import ClicklogEvents
import ClicklogStorage
import Foundation
import Synchronization

/// One of the writer's sealer threads: takes a group of envelopes from the event loops, drops
/// events whose id is already stored or pending, merges what is left and encodes it as one
/// block for the committer.
///
/// Deduplication happens here, in group order, not on the event loops: an id admitted by a
/// group stays *pending* until that group is durable, and a resend of it in a later group is
/// a duplicate acknowledged after the original's commit (the committer takes groups in
/// admission order). Deciding on the loops would let a duplicate's ack overtake the commit of
/// its original on another loop.
///
/// Encoding is most of a block's cost and needs nothing from the disk or from other groups,
/// so sealers encode while the committer waits for an fsync, and several sealers encode
/// different groups at once; only taking a group and admitting its ids is one at a time
/// (`SealerTurn`), which is a small part of the work.
///
/// `@unchecked Sendable`: created before its thread starts and used only by that thread
/// afterwards, except `abandonedEvents`, read after the thread ended.
final class GroupSealer: @unchecked Sendable {
    private let queue: CommitQueue
    private let sealed: SealedGroupQueue
    private let window: SharedWindow
    private let turn: SealerTurn
    private let encoder: BlockEncoder
    private let recycler: Recycler<EventBatch>
    /// The block being put together, reused from group to group: it keeps the capacity of the
    /// largest block, so a merge copies each envelope once and never regrows the columns.
    private var merged = EventBatch()
    var abandonedEvents = 0

    init(
        queue: CommitQueue, sealed: SealedGroupQueue, window: SharedWindow, turn: SealerTurn, recycler: Recycler<EventBatch>,
        compression: BlockCompression
    ) {
        self.queue = queue
        self.sealed = sealed
        self.window = window
        self.turn = turn
        self.recycler = recycler
        encoder = BlockEncoder(compression: compression)
    }

    func run() {
        while let (sequence, group) = takeAndAdmit() {
            sealed.push(encode(consume group), sequence: sequence)
        }
        for envelope in queue.drain() { abandonedEvents += envelope.events }
        sealed.finish()
    }

    /// A group admitted but not yet merged and encoded.
    private struct Admitted {
        var envelopes: [CommitEnvelope]
        var perMessage: [[Int]?]
        var admitted: [UInt64]
        var duplicates: Int
    }

    /// Takes the next group and admits its ids, while holding the turn: the sequence number is
    /// the admission order, which the committer keeps.
    private func takeAndAdmit() -> (UInt64, Admitted)? {
        turn.lock.lock()
        defer { turn.lock.unlock() }
        guard var envelopes = queue.nextGroup() else { return nil }
        let sequence = turn.next
        turn.next += 1
        var admitted: [UInt64] = []
        var perMessage: [[Int]?] = []
        perMessage.reserveCapacity(envelopes.count)
        var duplicates = 0
        for i in envelopes.indices {
            var batch = envelopes[i].batch
            envelopes[i].batch = EventBatch()  // so `batch` is uniquely referenced
            let counts = admit(&batch, ids: envelopes[i].ids, messageRowEnds: envelopes[i].messageRowEnds, into: &admitted)
            envelopes[i].batch = batch
            duplicates += counts?.reduce(0, +) ?? 0
            perMessage.append(counts)
        }
        return (sequence, Admitted(envelopes: envelopes, perMessage: perMessage, admitted: admitted, duplicates: duplicates))
    }

    /// Envelope batches whose strings have room for more bytes than this are freed rather
    /// than given back: the 32 kept at most (`Recycler` limit) then cost at most 64 MiB.
    static let recycledBytesLimit = 2 << 20

    /// Copies the group's envelopes into `merged`, hands their batches back to the event loops
    /// (`Recycler`), and encodes the block.
    private func encode(_ group: consuming Admitted) -> SealedGroup {
        merged.removeAll(keepingCapacity: true)
        var quarantine: [QuarantineItem] = []
        var completions: [EnvelopeCompletion] = []
        completions.reserveCapacity(group.envelopes.count)
        var bytes = 0
        for i in group.envelopes.indices {
            let batch = group.envelopes[i].batch
            group.envelopes[i].batch = EventBatch()  // so the recycled batch is not shared
            completions.append(EnvelopeCompletion(
                shard: group.envelopes[i].shard, id: group.envelopes[i].id, duplicates: group.perMessage[i]))
            merged.append(copying: batch)
            if batch.stringBytesCapacity <= Self.recycledBytesLimit { recycler.give(batch) }
            quarantine += group.envelopes[i].quarantine
            bytes += group.envelopes[i].bytes
        }
        let block = merged.count > 0 ? try? EncodedBlock(merged, encoder: encoder) : nil
        return SealedGroup(
            rows: merged.count, block: block, unencoded: block == nil && merged.count > 0 ? merged : nil,
            quarantine: quarantine, completions: completions, admitted: group.admitted,
            queuedEvents: merged.count + group.duplicates, bytes: bytes, duplicates: group.duplicates)
    }

    /// Admits the ids of one envelope, appending the admitted hashes to `admitted`, and drops
    /// the rows whose id is stored or pending; returns the count per message (`nil` when
    /// nothing was dropped, as nearly always).
    private func admit(_ batch: inout EventBatch, ids: IDHashes, messageRowEnds: [Int], into admitted: inout [UInt64]) -> [Int]? {
        var dropped: [Int] = []
        window.withLock { window in
            ids.hashes.withUnsafeBufferPointer { window.admit(hashes: $0) { dropped.append($0) } }
        }
        guard !dropped.isEmpty else {
            admitted.append(contentsOf: ids.hashes)
            return nil
        }
        var perMessage = Array(repeating: 0, count: messageRowEnds.count)
        var keep = Array(repeating: true, count: batch.count)
        var next = 0
        for (i, hash) in ids.hashes.enumerated() {
            guard next < dropped.count && dropped[next] == i else {
                admitted.append(hash)
                continue
            }
            next += 1
            let row = Int(ids.rows[i])
            keep[row] = false
            // The message whose rows end first after `row`.
            var low = 0
            var high = messageRowEnds.count - 1
            while low < high {
                let mid = (low + high) / 2
                if messageRowEnds[mid] > row { high = mid } else { low = mid + 1 }
            }
            perMessage[low] += 1
        }
        batch.filterRows(from: 0) { keep[$0] }
        return perMessage
    }
}

/// Whose turn it is to take a group from the `CommitQueue` and admit its ids, and the
/// sequence number the next group gets. `@unchecked Sendable`: `next` is used only while
/// `lock` is held.
final class SealerTurn: @unchecked Sendable {
    let lock = NSLock()
    var next: UInt64 = 0
}

/// The deduplication window, shared by the sealers (admit) and the committer (commit,
/// rollback, expiry): each holds the lock once per envelope or group.
final class SharedWindow: Sendable {
    private let mutex: Mutex<DeduplicationWindow>

    init(_ window: DeduplicationWindow) {
        mutex = Mutex(window)
    }

    func withLock<R>(_ body: (inout DeduplicationWindow) -> R) -> R {
        mutex.withLock { body(&$0) }
    }
}

extension EventBatch {
    /// Bytes the string columns have room for: what keeping the batch for reuse costs.
    var stringBytesCapacity: Int {
        event.bytes.capacity + anonymousID.bytes.capacity + id.bytes.capacity + userID.bytes.capacity
            + sessionID.bytes.capacity + url.bytes.capacity + referrer.bytes.capacity + title.bytes.capacity
            + selector.bytes.capacity + text.bytes.capacity + propKeys.bytes.capacity + propValues.bytes.capacity
            + site.bytes.capacity + userAgent.bytes.capacity + ip.bytes.capacity
    }
}
