import ClicklogEvents

/// The event ids stored within a time window (default 24 h), for dropping resent events.
///
/// Ids are kept as 64-bit hashes: 27–39 bytes per id in all (`HashSet64`'s slots at their
/// load factor plus 16 bytes of expiry ring), so a million ids in the window cost about
/// 35 MB. Two distinct ids collide with probability about n²/2⁶⁵: for 10 million ids in the
/// window, 3 in a million that one event is wrongly taken for a duplicate.
///
/// An admitted id is *pending* until the block holding its event is durable: `commit` makes
/// it permanent, `rollback` forgets it, so an event whose write failed is accepted again when
/// the client resends it. Not thread-safe; the ingest server guards it with a lock.
public struct DeduplicationWindow: DuplicateFilter {
    /// How long an id is remembered, in microseconds of `received_at`.
    public var windowMicros: Int64

    private var committed = HashSet64()
    private var pending = HashSet64()
    /// Committed hashes in commit order with their `received_at`, oldest first.
    private var ringHashes: [UInt64] = []
    private var ringTimes: [Int64] = []
    private var ringStart = 0
    /// Keeps `HashSet64.touch`'s loads alive; never read for anything else.
    private var prefetchSink: UInt64 = 0

    public init(windowMicros: Int64 = 24 * 3_600 * 1_000_000) {
        self.windowMicros = windowMicros
    }

    /// Ids remembered, committed or pending.
    public var count: Int { committed.count + pending.count }

    /// Makes room for `ids` committed ids in all, for a caller that knows how many are coming.
    public mutating func reserveCapacity(_ ids: Int) {
        committed.reserveCapacity(ids)
    }

    public mutating func admit(id: UnsafeRawBufferPointer) -> Bool {
        let hash = DeduplicationWindow.hash(id)
        if committed.contains(hash) { return false }
        return pending.insert(hash)
    }

    /// Admits and commits at once, for a writer that stops at its first failed write and
    /// reloads the window from the log when it starts again (the importer). Takes the ids'
    /// `hash(_:)`es, which the caller can compute on other threads, and calls `duplicate` with
    /// the index of every hash already known, including a repeat within `hashes`. Looks ahead
    /// 16 ids at a time so that the table's cache misses overlap: on an import the window is
    /// the writer's largest cost, and nearly all of it is waiting for memory.
    public mutating func admitCommitted(hashes: [UInt64], receivedAt: Int64, duplicate: (Int) -> Void) {
        committed.reserveCapacity(committed.count + hashes.count)
        let group = 16
        hashes.withUnsafeBufferPointer { all in
            var start = 0
            while start < all.count {
                let end = min(start + group, all.count)
                prefetchSink &+= committed.touch(UnsafeBufferPointer(rebasing: all[start..<end]))
                for i in start..<end {
                    let hash = all[i]
                    if pending.contains(hash) || !committed.insert(hash) {
                        duplicate(i)
                        continue
                    }
                    ringHashes.append(hash)
                    ringTimes.append(receivedAt)
                }
                start = end
            }
        }
    }

    /// Makes the ids of `batch` (of the rows `include` accepts) permanent: its block is durable.
    public mutating func commit(idsOf batch: EventBatch, where include: (Int) -> Bool = { _ in true }) {
        for row in 0..<batch.count where !batch.id.isNull(row) && include(row) {
            let hash = batch.id.withBytes(at: row) { DeduplicationWindow.hash($0) }
            pending.remove(hash)
            if committed.insert(hash) {
                ringHashes.append(hash)
                ringTimes.append(batch.receivedAt[row])
            }
        }
    }

    /// Forgets the pending ids of `batch`: its block could not be written.
    public mutating func rollback(idsOf batch: EventBatch) {
        for row in 0..<batch.count where !batch.id.isNull(row) {
            pending.remove(batch.id.withBytes(at: row) { DeduplicationWindow.hash($0) })
        }
    }

    /// Forgets committed ids received before `now - window`.
    public mutating func expire(now: Int64) {
        let horizon = now - windowMicros
        while ringStart < ringTimes.count && ringTimes[ringStart] < horizon {
            committed.remove(ringHashes[ringStart])
            ringStart += 1
        }
        // Compact once the dead prefix is the larger part, so the ring stays proportional.
        if ringStart > 4096 && ringStart * 2 > ringTimes.count {
            ringHashes.removeFirst(ringStart)
            ringTimes.removeFirst(ringStart)
            ringStart = 0
        }
    }

    /// A 64-bit hash of an id: eight bytes at a time, multiply and fold (good avalanche, no
    /// allocation). Not cryptographic: ids are chosen by clients, and a client that forges a
    /// collision can only get its own events dropped.
    @inlinable
    public static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(bytes.count)
        var i = 0
        @inline(__always) func mix(_ v: UInt64) {
            h = (h ^ v) &* 0xBF58_476D_1CE4_E5B9
            h ^= h >> 31
        }
        while i + 8 <= bytes.count {
            mix(bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            i += 8
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while i < bytes.count {
            tail |= UInt64(bytes[i]) << shift
            shift += 8
            i += 1
        }
        mix(tail)
        h = (h ^ (h >> 29)) &* 0x94D0_49BB_1331_11EB
        return h ^ (h >> 32)
    }
}
