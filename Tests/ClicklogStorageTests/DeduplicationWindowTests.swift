import ClicklogEvents
import ClicklogTestSupport
import Testing
@testable import ClicklogStorage

/// The hash set under the deduplication window, against `Set<UInt64>`, and the window's rules:
/// pending until committed, forgotten on rollback and after the window.
struct DeduplicationWindowTests {
    @Test func hashSetAgreesWithSetUnderRandomInsertsAndRemoves() {
        var rng = SeededRandom(seed: 42)
        var set = HashSet64()
        var reference = Set<UInt64>()
        // Few distinct top bits (a key's home slot comes from them), so that probe runs are
        // long and wrap around the table, and removals have to shift entries back across
        // them. 0 is a key too.
        func key() -> UInt64 {
            let r = rng.next()
            return r % 5 == 0 ? 0 : (r & 0xE000_0000_0000_0000) | (r & 0x3FF)
        }
        for step in 0..<8_000 {
            let k = key()
            switch rng.next() % 3 {
            case 0, 1:
                let inserted = set.insert(k)
                let expected = reference.insert(k).inserted
                #expect(inserted == expected, "insert at step \(step)")
            default:
                let removed = set.remove(k)
                let expected = reference.remove(k) != nil
                #expect(removed == expected, "remove at step \(step)")
            }
            if step % 251 == 0 {
                #expect(set.count == reference.count)
                for _ in 0..<16 {
                    let probe = key()
                    #expect(set.contains(probe) == reference.contains(probe), "contains at step \(step)")
                }
            }
        }
        for k in reference { #expect(set.contains(k)) }
    }

    @Test func shardedSetAgreesWithSetAcrossItsTables() {
        var rng = SeededRandom(seed: 7)
        var set = ShardedHashSet64()
        var reference = Set<UInt64>()
        for step in 0..<20_000 {
            let k = rng.next() & 0xFFFF_0000_0000_003F  // every table, few distinct top bits
            if rng.next() % 3 == 0 {
                #expect(set.remove(k) == (reference.remove(k) != nil), "remove at step \(step)")
            } else {
                #expect(set.insert(k) == reference.insert(k).inserted, "insert at step \(step)")
            }
        }
        #expect(set.count == reference.count)
        for k in reference { #expect(set.contains(k)) }
    }

    /// The batch forms look 16 hashes ahead; batches of every size around that, with repeats
    /// inside a batch and removals of hashes that are not there, must do what one at a time does.
    @Test func shardedSetBatchInsertAndRemoveAgreeWithOneAtATime() {
        var rng = SeededRandom(seed: 11)
        var set = ShardedHashSet64()
        var reference = Set<UInt64>()
        for step in 0..<600 {
            let batch = (0..<Int(rng.next() % 41)).map { _ in rng.next() & 0xFF00_0000_0000_00FF }
            if step % 3 == 2 {
                batch.withUnsafeBufferPointer { set.remove(contentsOf: $0) }
                for k in batch { reference.remove(k) }
            } else {
                var reported: [Int] = []
                batch.withUnsafeBufferPointer { set.insert(contentsOf: $0) { reported.append($0) } }
                let expected = batch.indices.filter { !reference.insert(batch[$0]).inserted }
                #expect(reported == expected, "insert at step \(step)")
            }
            #expect(set.count == reference.count, "count at step \(step)")
        }
        for k in reference { #expect(set.contains(k)) }
    }

    @Test func hashSetShrinksBackAfterEverythingIsRemoved() {
        var set = HashSet64()
        for k in 1...20_000 as ClosedRange<UInt64> { set.insert(k &* 0x9E37_79B9_7F4A_7C15) }
        var removed = 0
        for k in 1...20_000 as ClosedRange<UInt64> where set.remove(k &* 0x9E37_79B9_7F4A_7C15) { removed += 1 }
        #expect(removed == 20_000)
        #expect(set.count == 0)
        #expect(!set.contains(0x9E37_79B9_7F4A_7C15))
        let inserted = set.insert(7)
        #expect(inserted)
        #expect(set.contains(7))
    }

    private func hashes(_ ids: [String]) -> [UInt64] {
        ids.map { id in var id = id; return id.withUTF8 { DeduplicationWindow.hash(UnsafeRawBufferPointer($0)) } }
    }

    /// Admits `ids` as one group; returns the indices reported as duplicates.
    private func admit(_ window: inout DeduplicationWindow, _ ids: [String]) -> [Int] {
        var duplicates: [Int] = []
        hashes(ids).withUnsafeBufferPointer { window.admit(hashes: $0) { duplicates.append($0) } }
        return duplicates
    }

    @Test func pendingIdIsADuplicateUntilRolledBack() {
        var window = DeduplicationWindow()
        let first = admit(&window, ["x", "y"])
        let resend = admit(&window, ["y", "x", "z"])
        hashes(["x", "y"]).withUnsafeBufferPointer { window.rollback(hashes: $0) }
        let afterRollback = admit(&window, ["x", "y", "z"])
        #expect(first == [])
        #expect(resend == [0, 1], "a resend while the first is pending is a duplicate")
        #expect(afterRollback == [2], "after a failed write the ids are accepted again; z is still pending")
    }

    @Test func committedIdIsADuplicateUntilItLeavesTheWindow() {
        var window = DeduplicationWindow(windowMicros: 1_000)
        let first = admit(&window, ["x"])
        hashes(["x"]).withUnsafeBufferPointer { window.commit(hashes: $0, receivedAt: 5_000) }
        let resend = admit(&window, ["x"])
        window.expire(now: 5_999)
        let insideWindow = admit(&window, ["x"])
        window.expire(now: 6_001)
        let afterWindow = admit(&window, ["x"])
        #expect(first == [])
        #expect(resend == [0])
        #expect(insideWindow == [0], "still inside the window")
        #expect(afterWindow == [], "forgotten once older than the window")
    }

    @Test func idsExpireByChunkOnlyOnceTheChunksNewestIdIsOld() {
        var window = DeduplicationWindow(windowMicros: 100)
        let first = (0..<70_000).map { "c\($0)" }  // more than one ring chunk
        _ = admit(&window, first)
        let all = hashes(first)
        all.withUnsafeBufferPointer { b in
            window.commit(hashes: UnsafeBufferPointer(rebasing: b[0..<40_000]), receivedAt: 1_000)
            window.commit(hashes: UnsafeBufferPointer(rebasing: b[40_000...]), receivedAt: 2_000)
        }
        window.expire(now: 1_500)
        #expect(admit(&window, ["c0", "c69999"]) == [0, 1], "the first chunk also holds ids of time 2000")
        window.expire(now: 2_050)
        #expect(admit(&window, ["c1", "c69998"]) == [0, 1])
        window.expire(now: 2_101)
        #expect(admit(&window, ["c2", "c69997"]) == [], "every chunk's newest id is older than the window")
        #expect(window.count == 2, "only the two just admitted")
    }

    /// Chunks hold 65,536 ids: with room for 150,000, committing 300,000 (in five groups)
    /// forgets whole chunks, oldest first, and keeps the newest within the bound.
    @Test func pastMaxIDsTheOldestChunksAreForgottenFirst() {
        var window = DeduplicationWindow(windowMicros: 1 << 40, maxIDs: 150_000)
        let ids = (0..<300_000).map { "m\($0)" }
        for group in 0..<5 {
            let part = Array(ids[(group * 60_000)..<((group + 1) * 60_000)])
            _ = admit(&window, part)
            hashes(part).withUnsafeBufferPointer { window.commit(hashes: $0, receivedAt: Int64(group)) }
            #expect(window.count <= 150_000)
        }
        #expect(window.forgottenEarly == 300_000 - window.count)
        #expect(window.forgottenEarly % 65_536 == 0, "whole chunks")
        #expect(admit(&window, ["m0", "m65535"]) == [], "the oldest chunk is forgotten")
        #expect(admit(&window, ["m299999", "m200000"]) == [0, 1], "the newest are still known")
    }

    @Test func pendingIdDoesNotExpireUntilCommitted() {
        var window = DeduplicationWindow(windowMicros: 1_000)
        _ = admit(&window, ["x"])
        window.expire(now: 1_000_000)
        #expect(admit(&window, ["x"]) == [0], "a pending id has no age yet")
    }

    @Test func batchAdmitReportsRepeatsWithinTheBatchAndOfEarlierBatches() {
        var window = DeduplicationWindow()
        var first: [Int] = []
        window.admitCommitted(hashes: hashes((0..<40).map { "a\($0)" } + ["a3", "a39"]), receivedAt: 1) { first.append($0) }
        #expect(first == [40, 41], "the later copy of a3 and a39 is the duplicate")
        var second: [Int] = []
        window.admitCommitted(hashes: hashes(["b0", "a0", "b1", "a17"]), receivedAt: 2) { second.append($0) }
        #expect(second == [1, 3])
        #expect(window.count == 42)
        #expect(admit(&window, ["b1"]) == [0], "batch-admitted ids are known")
        window.expire(now: 1 + window.windowMicros)
        #expect(admit(&window, ["b1", "a3"]) == [0, 1], "and committed: not older than the window yet")
        window.expire(now: 3 + window.windowMicros)
        #expect(admit(&window, ["b1", "a3"]) == [], "expired with their batch's received_at")
    }
}
