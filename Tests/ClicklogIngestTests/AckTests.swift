import NIOCore
import Testing
@testable import ClicklogIngest

@Suite struct AckTests {
    func json(_ ack: Ack) -> String {
        var buffer = ByteBuffer()
        ack.write(to: &buffer)
        return String(buffer: buffer)
    }

    @Test func countsAckHasTheSpecsExactLayout() {
        let ack = Ack(number: 7, outcome: .counts(accepted: 47, duplicates: 1, rejected: [.init(index: 3, error: "ts: not a number or RFC 3339 time")]))
        #expect(json(ack) == #"{"ack": 7, "accepted": 47, "duplicates": 1, "rejected": [{"index": 3, "error": "ts: not a number or RFC 3339 time"}]}"#)
        #expect(json(Ack(number: -2, outcome: .counts(accepted: 0, duplicates: 0, rejected: []))) == #"{"ack": -2, "accepted": 0, "duplicates": 0, "rejected": []}"#)
    }

    @Test func errorAckEscapesItsMessage() {
        let ack = Ack(number: 9_223_372_036_854_775_807, outcome: .error("bad \"quote\" \\ and\ncontrol \u{01}"))
        #expect(json(ack) == #"{"ack": 9223372036854775807, "error": "bad \"quote\" \\ and\ncontrol \u0001"}"#)
    }

    @Test func duplicatesFoundByTheWriterMoveFromAccepted() {
        var ack = Ack(number: 1, outcome: .counts(accepted: 5, duplicates: 1, rejected: []))
        ack.reclassifyDuplicates(2)
        #expect(ack.outcome == .counts(accepted: 3, duplicates: 3, rejected: []))
    }
}

@Suite struct AckQueueTests {
    func ack(_ n: Int64) -> Ack { Ack(number: n, outcome: .counts(accepted: 1, duplicates: 0, rejected: [])) }

    @Test func numbersBySeqOrOrdinal() {
        var queue = AckQueue()
        #expect(queue.number(seq: nil) == 1)
        #expect(queue.number(seq: 100) == 100)
        #expect(queue.number(seq: nil) == 3)
    }

    @Test func releasesInMessageOrderOnly() {
        var queue = AckQueue()
        let t1 = queue.enqueue(ack(1))
        let t2 = queue.enqueue(ack(2))
        let t3 = queue.enqueue(ack(3))
        queue.markDurable(ticket: t2, duplicates: 0)
        queue.markDurable(ticket: t3, duplicates: 1)
        #expect(queue.popReady() == nil)  // 1 is not durable: 2 and 3 wait behind it
        queue.markDurable(ticket: t1, duplicates: 0)
        #expect(queue.popReady()?.number == 1)
        #expect(queue.popReady()?.number == 2)
        #expect(queue.popReady() == Ack(number: 3, outcome: .counts(accepted: 0, duplicates: 1, rejected: [])))
        #expect(queue.popReady() == nil)
        #expect(queue.isEmpty)
        // Tickets keep counting after the queue drained.
        let t4 = queue.enqueue(ack(4))
        queue.markDurable(ticket: t4, duplicates: 0)
        #expect(queue.popReady()?.number == 4)
    }
}
