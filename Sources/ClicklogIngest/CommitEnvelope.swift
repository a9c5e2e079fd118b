import ClicklogEvents
import ClicklogStorage

/// What one event loop hands the writer at a time: the accepted events of the messages it
/// parsed since the last hand-over (one tick of the loop, or fewer when many arrive at
/// once), the rejected events and malformed messages for quarantine, and where each message's
/// rows end, so the writer can report duplicates per message.
///
/// Batching per loop tick instead of per message keeps the per-message cost to appending rows
/// to columns that are already allocated.
struct CommitEnvelope: Sendable {
    /// The loop (`LoopShard.index`) that made it, to which the completion goes back.
    var shard: Int
    /// Increasing per shard: completions come back in this order.
    var id: UInt64
    var batch = EventBatch()
    /// The hashes of `batch`'s ids, made on the loop at hand-over (`seal()`).
    var ids = IDHashes()
    /// `messageRowEnds[i]` is the row just past message `i`'s events in `batch`.
    var messageRowEnds: [Int] = []
    var quarantine: [QuarantineItem] = []
    /// Message bytes received, for back-pressure accounting.
    var bytes = 0
    /// When it was handed over (monotonic nanoseconds), for the writer's `maxDelay`.
    var enqueuedAt: UInt64 = 0

    init(shard: Int, id: UInt64, batch: EventBatch = EventBatch()) {
        self.shard = shard
        self.id = id
        self.batch = batch
    }

    /// Hashes the ids for the writer's deduplication: on the event loop, in parallel with the
    /// other loops, instead of on the sealers.
    mutating func seal() {
        ids = IDHashes(of: batch)
    }

    var messages: Int { messageRowEnds.count }
    var events: Int { batch.count }
    var isEmpty: Bool { messageRowEnds.isEmpty }
}

/// A rejected event or a malformed message, raw, for the quarantine file.
struct QuarantineItem: Sendable, Equatable {
    var raw: [UInt8]
    var reason: String
    /// Epoch microseconds: when the message was received.
    var time: Int64
}

/// The writer's answer for one envelope: durable. `duplicates[i]` events of message `i` were
/// already stored and were dropped (`nil` when there were none in the envelope).
struct EnvelopeCompletion: Sendable, Equatable {
    var shard: Int
    var id: UInt64
    var duplicates: [Int]?
}
