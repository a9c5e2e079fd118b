import ClicklogEvents
import Foundation
import Testing
@testable import ClicklogIngest

/// The hand-over from the sealers to the committer keeps admission order whatever order the
/// sealers finish in, and a full queue never blocks the group the committer waits for.
@Suite struct SealedGroupQueueTests {
    private func group(_ bytes: Int) -> SealedGroup {
        SealedGroup(
            rows: 0, block: nil, unencoded: nil, quarantine: [], completions: [], admitted: [],
            queuedEvents: 0, bytes: bytes, duplicates: 0)
    }

    /// Pushes on a thread of its own; the semaphore is signalled once the push returned.
    private func pushInBackground(_ queue: SealedGroupQueue, bytes: Int, sequence: UInt64) -> DispatchSemaphore {
        let pushed = DispatchSemaphore(value: 0)
        let group = group(bytes)
        Thread.detachNewThread {
            queue.push(group, sequence: sequence)
            pushed.signal()
        }
        return pushed
    }

    @Test func groupsComeOutInSequenceOrderAndContiguousRunsTogether() {
        let queue = SealedGroupQueue(producers: 2)
        queue.push(group(1), sequence: 1)
        queue.push(group(2), sequence: 2)
        queue.push(group(0), sequence: 0)
        #expect(queue.takeAll()?.map(\.bytes) == [0, 1, 2])
        queue.push(group(4), sequence: 4)
        queue.push(group(3), sequence: 3)
        #expect(queue.takeAll()?.map(\.bytes) == [3, 4])
        queue.finish()
        queue.finish()
        #expect(queue.takeAll() == nil, "nil once every producer finished and nothing is left")
    }

    @Test func theAwaitedGroupIsAcceptedWhenTheQueueIsFull() {
        let queue = SealedGroupQueue(producers: 1)  // capacity 2
        queue.push(group(1), sequence: 1)
        queue.push(group(2), sequence: 2)
        // Full, but sequence 0 is the one the committer needs: it must not wait.
        let pushed = pushInBackground(queue, bytes: 0, sequence: 0)
        #expect(pushed.wait(timeout: .now() + 10) == .success)
        #expect(queue.takeAll()?.map(\.bytes) == [0, 1, 2])
    }

    @Test func aLaterGroupWaitsWhileTheQueueIsFull() {
        let queue = SealedGroupQueue(producers: 1)
        queue.push(group(1), sequence: 1)
        queue.push(group(2), sequence: 2)
        let pushed = pushInBackground(queue, bytes: 3, sequence: 3)
        #expect(pushed.wait(timeout: .now() + 0.2) == .timedOut, "over capacity and not the awaited group")
        queue.push(group(0), sequence: 0)
        #expect(queue.takeAll()?.map(\.bytes) == [0, 1, 2])
        #expect(pushed.wait(timeout: .now() + 10) == .success, "room again once the committer took its groups")
        #expect(queue.takeAll()?.map(\.bytes) == [3])
    }
}
