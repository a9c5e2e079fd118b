import ClicklogEvents
import ClicklogTestSupport
import Testing
@testable import ClicklogIngest

@Suite struct GroupCommitPolicyTests {
    let policy = GroupCommitPolicy(maxBlockEvents: 100, maxDelayNanos: 10_000_000)

    @Test func waitsForCompanyUpToTheDelay() {
        #expect(policy.decide(queued: [], now: 0, stopping: false) == .idle)
        #expect(policy.decide(queued: [(10, 1_000)], now: 2_000, stopping: false) == .wait(until: 10_001_000))
        #expect(policy.decide(queued: [(10, 1_000), (20, 5_000)], now: 10_001_000, stopping: false) == .seal(envelopes: 2))
    }

    @Test func sealsEarlyWhenTheWriterIsIdleAndEnoughWaits() {
        let policy = GroupCommitPolicy(maxBlockEvents: 100, maxDelayNanos: 10_000_000, minEagerEvents: 20)
        #expect(policy.decide(queued: [(10, 0), (10, 0)], now: 1, stopping: false, writerIdle: true) == .seal(envelopes: 2))
        #expect(policy.decide(queued: [(10, 0), (5, 0)], now: 1, stopping: false, writerIdle: true) == .wait(until: 10_000_000),
                "fewer than the floor wait for company even before an idle disk")
        #expect(policy.decide(queued: [(10, 0), (10, 0)], now: 1, stopping: false, writerIdle: false) == .wait(until: 10_000_000),
                "while the writer is busy, the group keeps growing")
    }

    @Test func sealsAtOnceWhenFullOrStopping() {
        #expect(policy.decide(queued: [(60, 0), (50, 0), (5, 0)], now: 1, stopping: false) == .seal(envelopes: 1))
        #expect(policy.decide(queued: [(100, 0)], now: 1, stopping: false) == .seal(envelopes: 1))
        #expect(policy.decide(queued: [(500, 0), (1, 0)], now: 1, stopping: false) == .seal(envelopes: 1))  // one envelope at least
        #expect(policy.decide(queued: [(1, 0)], now: 1, stopping: true) == .seal(envelopes: 1))
    }
}

@Suite struct EventBatchAppendTests {
    @Test func appendingBatchesEqualsAppendingTheirRows() {
        var rng = SeededRandom(seed: 11)
        let parts = (0..<4).map { _ in RandomEvents.batch(RandomEvents.edgeCases(count: 25, rng: &rng)) }
        var bulk = EventBatch()
        var rowwise = EventBatch()
        for part in parts {
            bulk.append(copying: part)
            for row in 0..<part.count { rowwise.appendRow(row, of: part) }
        }
        #expect(bulk == rowwise)
        #expect(bulk.count == 100)
    }

    /// The sealer merges into one batch that it empties and reuses from group to group.
    @Test func mergingIntoAnEmptiedBatchEqualsMergingIntoANewOne() {
        var rng = SeededRandom(seed: 12)
        let first = RandomEvents.batch(RandomEvents.edgeCases(count: 40, rng: &rng))
        let second = RandomEvents.batch(RandomEvents.edgeCases(count: 30, rng: &rng))
        var reused = EventBatch()
        reused.append(copying: first)
        reused.removeAll(keepingCapacity: true)
        reused.append(copying: second)
        reused.append(copying: first)
        var fresh = EventBatch()
        fresh.append(copying: second)
        fresh.append(copying: first)
        #expect(reused == fresh)
        #expect(reused.count == 70)
    }
}
