import Foundation
import NIOCore

/// The hand-over from the event loops to the sealer threads: envelopes in arrival order, and
/// the sealers' wait for the next group (`GroupCommitPolicy`).
///
/// Unbounded by itself: what bounds it is `BackPressure`, which stops the loops reading from
/// sockets once too many events or bytes are queued or in the writer.
///
/// `@unchecked Sendable`: every stored property is read and written only while `condition`
/// is locked.
final class CommitQueue: @unchecked Sendable {
    private let condition = NSCondition()
    private var envelopes = CircularBuffer<CommitEnvelope>(initialCapacity: 64)
    private var stopping = false
    private var abandoned = false
    /// Groups taken by sealers and not yet committed: none means the encoders and the disk are
    /// idle (`GroupCommitPolicy`'s eager sealing).
    private var groupsInFlight = 0
    let policy: GroupCommitPolicy

    init(policy: GroupCommitPolicy) {
        self.policy = policy
    }

    /// Monotonic nanoseconds.
    static func now() -> UInt64 { NIODeadline.now().uptimeNanoseconds }

    /// Queues an envelope (from an event loop; never blocks for long).
    func push(_ envelope: CommitEnvelope) {
        var envelope = envelope
        envelope.enqueuedAt = CommitQueue.now()
        condition.lock()
        envelopes.append(envelope)
        // Broadcast: the committer may wait on the same condition (`sleep`, between retries),
        // and a signal that woke it instead of a sealer would leave the envelope waiting.
        condition.broadcast()
        condition.unlock()
    }

    /// Blocks until a group should be sealed and returns it; `nil` once stopping and empty.
    func nextGroup() -> [CommitEnvelope]? {
        condition.lock()
        defer { condition.unlock() }
        while true {
            let queued = envelopes.map { (events: $0.events, enqueuedAt: $0.enqueuedAt) }
            switch policy.decide(queued: queued, now: CommitQueue.now(), stopping: stopping, writerIdle: groupsInFlight == 0) {
            case .idle:
                if stopping { return nil }
                condition.wait()
            case .wait(let until):
                let now = CommitQueue.now()
                if until > now { _ = condition.wait(until: Date(timeIntervalSinceNow: Double(until - now) / 1e9)) }
            case .seal(let count):
                var group: [CommitEnvelope] = []
                group.reserveCapacity(count)
                for _ in 0..<count { group.append(envelopes.removeFirst()) }
                groupsInFlight += 1
                return group
            }
        }
    }

    /// The committer is done with `count` groups (stored, or given up): once none is left, a
    /// waiting sealer decides again.
    func committed(groups count: Int) {
        condition.lock()
        groupsInFlight -= count
        if groupsInFlight == 0 { condition.broadcast() }
        condition.unlock()
    }

    /// Stop: seal what is queued at once, return `nil` from `nextGroup` once empty.
    func stop() {
        condition.lock()
        stopping = true
        condition.broadcast()
        condition.unlock()
    }

    /// Give up on what cannot be stored (shutdown while the disk fails): the writer stops
    /// retrying and drops the rest.
    func abandon() {
        condition.lock()
        stopping = true
        abandoned = true
        condition.broadcast()
        condition.unlock()
    }

    var isAbandoned: Bool {
        condition.lock()
        defer { condition.unlock() }
        return abandoned
    }

    /// Sleeps up to `seconds`, waking early when abandoned. Returns whether it was abandoned.
    func sleep(seconds: Double) -> Bool {
        let until = Date(timeIntervalSinceNow: seconds)
        condition.lock()
        defer { condition.unlock() }
        while !abandoned && Date() < until {
            _ = condition.wait(until: until)
        }
        return abandoned
    }

    /// Removes everything still queued (after abandoning).
    func drain() -> [CommitEnvelope] {
        condition.lock()
        defer { condition.unlock() }
        let rest = Array(envelopes)
        envelopes.removeAll()
        return rest
    }
}
