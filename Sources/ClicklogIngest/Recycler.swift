import Synchronization

/// A thread-safe stack of spare values handed from the thread that is done with one to the
/// next thread that needs one: the importer's parsed chunks, parsers and encoders, and the
/// server's envelope batches (from the sealers back to the event loops).
///
/// Why: a chunk's columns and block buffer are tens of megabytes, and a fresh zstd context
/// allocates its tables on first use. Built anew for every chunk, they were freed back to the
/// kernel and faulted in again, zero-filled, for the next: about a tenth of an import's CPU
/// went to page faults. An envelope's batch grows some twenty column arrays from nothing, and
/// at a steady paced load each loop tick holds a message or two, so that was a hundred
/// allocations and their growth copies per message. Reused, their capacity stays warm. The
/// stack never holds more than the values that were in flight at once, so it does not raise
/// the importer's memory bound; the server bounds it further (`limit`, and envelopes that grew
/// large in a burst are not given back), because each spare keeps the capacity of its largest
/// use, and hundreds of envelopes can be in flight at once.
///
/// `@unchecked Sendable` because the values it holds (classes such as `BlockEncoder`, structs
/// such as `MessageParser`) are not `Sendable`: a value is used by one thread at a time, the
/// one that took it, and the lock orders the hand-over.
final class Recycler<Value>: @unchecked Sendable {
    private let spares = Mutex<[UnsafeTransfer]>([])
    private let make: () -> Value
    /// Spares kept at most; more are dropped.
    let limit: Int

    private struct UnsafeTransfer: @unchecked Sendable {
        var value: Value
    }

    /// `make` builds a value when there is no spare; at most `limit` spares are kept.
    init(limit: Int = .max, make: @escaping () -> Value) {
        self.limit = limit
        self.make = make
    }

    /// A spare value, or a new one.
    func take() -> Value {
        if let spare = spares.withLock({ $0.popLast() }) { return spare.value }
        return make()
    }

    /// Keeps `value` for the next `take`, unless `limit` spares are waiting.
    func give(_ value: consuming Value) {
        let transfer = UnsafeTransfer(value: value)
        spares.withLock { spares in
            if spares.count < limit { spares.append(transfer) }
        }
    }
}
