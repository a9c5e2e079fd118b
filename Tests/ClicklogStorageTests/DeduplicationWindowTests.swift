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
        // Few distinct low bits, so that probe runs are long and wrap around the table, and
        // removals have to shift entries back across them. 0 is a key too.
        func key() -> UInt64 {
            let r = rng.next()
            return r % 5 == 0 ? 0 : (r & 0xFFFF_0000_0000_0000) | (r & 0x3FF)
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

    private func batch(_ ids: [String], receivedAt: Int64 = 1_000) -> EventBatch {
        var batch = EventBatch()
        for id in ids {
            batch.append(Event(event: "e", ts: 1_700_000_000_000, anonymousID: "a", id: id, receivedAt: receivedAt, site: "s"))
        }
        return batch
    }

    private func admit(_ window: inout DeduplicationWindow, _ id: String) -> Bool {
        var id = id
        return id.withUTF8 { window.admit(id: UnsafeRawBufferPointer($0)) }
    }

    @Test func pendingIdIsADuplicateUntilRolledBack() {
        var window = DeduplicationWindow()
        let first = admit(&window, "x")
        let resend = admit(&window, "x")
        window.rollback(idsOf: batch(["x"]))
        let afterRollback = admit(&window, "x")
        #expect(first)
        #expect(!resend, "a resend while the first is pending is a duplicate")
        #expect(afterRollback, "after a failed write the id is accepted again")
    }

    @Test func committedIdIsADuplicateUntilItLeavesTheWindow() {
        var window = DeduplicationWindow(windowMicros: 1_000)
        let first = admit(&window, "x")
        window.commit(idsOf: batch(["x"], receivedAt: 5_000))
        let resend = admit(&window, "x")
        window.expire(now: 5_999)
        let insideWindow = admit(&window, "x")
        window.expire(now: 6_001)
        let afterWindow = admit(&window, "x")
        #expect(first)
        #expect(!resend)
        #expect(!insideWindow, "still inside the window")
        #expect(afterWindow, "forgotten once older than the window")
    }

    @Test func batchAdmitReportsRepeatsWithinTheBatchAndOfEarlierBatches() {
        var window = DeduplicationWindow()
        func hashes(_ ids: [String]) -> [UInt64] {
            ids.map { id in var id = id; return id.withUTF8 { DeduplicationWindow.hash(UnsafeRawBufferPointer($0)) } }
        }
        var first: [Int] = []
        window.admitCommitted(hashes: hashes((0..<40).map { "a\($0)" } + ["a3", "a39"]), receivedAt: 1) { first.append($0) }
        #expect(first == [40, 41], "the later copy of a3 and a39 is the duplicate")
        var second: [Int] = []
        window.admitCommitted(hashes: hashes(["b0", "a0", "b1", "a17"]), receivedAt: 2) { second.append($0) }
        #expect(second == [1, 3])
        #expect(window.count == 42)
        #expect(!admit(&window, "b1"), "batch-admitted ids are committed")
    }
}
