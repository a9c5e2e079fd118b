import ClicklogEvents
import ClicklogStorage
import Synchronization

/// The writer's first thread: takes groups of envelopes from the event loops, drops events
/// whose id is already stored or pending, merges what is left and encodes it as one block.
///
/// Deduplication happens here, in group order, not on the event loops: an id admitted by a
/// group stays *pending* until that group is durable, and a resend of it in a later group is
/// a duplicate acknowledged after the original's commit (the committer takes groups in
/// order). Deciding on the loops would let a duplicate's ack overtake the commit of its
/// original on another loop.
///
/// Encoding is most of a block's cost and needs nothing from the disk, so it runs here while
/// the committer waits for the previous group's fsync: with one thread doing both, the
/// writer spent half its time waiting on the disk and was the server's bottleneck.
///
/// `@unchecked Sendable`: created before its thread starts and used only by that thread
/// afterwards, except `abandonedEvents`, read after the thread ended.
final class GroupSealer: @unchecked Sendable {
    private let queue: CommitQueue
    private let sealed: SealedGroupQueue
    private let window: SharedWindow
    private let encoder: BlockEncoder
    var abandonedEvents = 0

    init(queue: CommitQueue, sealed: SealedGroupQueue, window: SharedWindow, compression: BlockCompression) {
        self.queue = queue
        self.sealed = sealed
        self.window = window
        encoder = BlockEncoder(compression: compression)
    }

    func run() {
        while let group = queue.nextGroup() {
            sealed.push(seal(group))
        }
        for envelope in queue.drain() { abandonedEvents += envelope.events }
        sealed.finish()
    }

    private func seal(_ envelopes: [CommitEnvelope]) -> SealedGroup {
        var group = envelopes
        var merged = EventBatch()
        var quarantine: [QuarantineItem] = []
        var completions: [EnvelopeCompletion] = []
        completions.reserveCapacity(group.count)
        var admitted: [UInt64] = []
        var bytes = 0
        var duplicates = 0
        for i in group.indices {
            var batch = group[i].batch
            group[i].batch = EventBatch()  // so `batch` is uniquely referenced
            let perMessage = admit(&batch, ids: group[i].ids, messageRowEnds: group[i].messageRowEnds, into: &admitted)
            duplicates += perMessage?.reduce(0, +) ?? 0
            completions.append(EnvelopeCompletion(shard: group[i].shard, id: group[i].id, duplicates: perMessage))
            merged.append(contentsOf: batch)
            quarantine += group[i].quarantine
            bytes += group[i].bytes
        }
        let block = merged.count > 0 ? try? EncodedBlock(merged, encoder: encoder) : nil
        return SealedGroup(
            batch: merged, block: block, quarantine: quarantine, completions: completions, admitted: admitted,
            queuedEvents: merged.count + duplicates, bytes: bytes, duplicates: duplicates)
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

/// The deduplication window, shared by the sealer (admit) and the committer (commit,
/// rollback, expiry): each holds the lock once per group.
final class SharedWindow: Sendable {
    private let mutex: Mutex<DeduplicationWindow>

    init(_ window: DeduplicationWindow) {
        mutex = Mutex(window)
    }

    func withLock<R>(_ body: (inout DeduplicationWindow) -> R) -> R {
        mutex.withLock { body(&$0) }
    }
}
