import NIOCore

/// The acks of one connection, released strictly in message order.
///
/// Every message gets an entry when it is parsed, whatever became of it (events accepted,
/// all rejected, all duplicates, or the whole message refused), and its ack leaves only when it
/// is durable *and* every earlier message's ack has left. The writer commits in arrival order,
/// so entries normally become durable front to back; the queue does not rely on it.
struct AckQueue: Sendable {
    private struct Entry: Sendable {
        var ack: Ack
        var durable = false
    }

    private var entries = CircularBuffer<Entry>(initialCapacity: 16)
    /// Ticket of `entries.first`.
    private var firstTicket = 0
    /// Messages numbered so far: the ordinal of the last one.
    private(set) var ordinal: Int64 = 0

    init() {}

    /// Acks waiting for durability or for an earlier ack.
    var count: Int { entries.count }
    var isEmpty: Bool { entries.isEmpty }

    /// The ack number of the next message: its `seq`, or its 1-based ordinal on the connection.
    mutating func number(seq: Int64?) -> Int64 {
        ordinal += 1
        return seq ?? ordinal
    }

    /// Adds the ack of the next message; returns its ticket for `markDurable`.
    mutating func enqueue(_ ack: Ack) -> Int {
        entries.append(Entry(ack: ack))
        return firstTicket + entries.count - 1
    }

    /// The message of `ticket` is durable; `duplicates` of its accepted events turned out to be
    /// stored already.
    mutating func markDurable(ticket: Int, duplicates: Int) {
        let offset = ticket - firstTicket
        guard offset >= 0 && offset < entries.count else { return }
        let index = entries.index(entries.startIndex, offsetBy: offset)
        entries[index].durable = true
        entries[index].ack.reclassifyDuplicates(duplicates)
    }

    /// The next ack that may be sent, in order, or `nil` while the front one is not durable.
    mutating func popReady() -> Ack? {
        guard let first = entries.first, first.durable else { return nil }
        entries.removeFirst()
        firstTicket += 1
        return first.ack
    }
}
