import ClicklogEvents

/// The event ids stored within a time window (default 24 h), for dropping resent events.
///
/// Ids are kept as 64-bit hashes: 18–23 bytes per id in all (`HashSet64`'s slots at their
/// load factor, 10–15 bytes, plus 8 bytes of expiry ring), so a million ids in the window
/// cost about 21 MB. Neither part ever copies itself whole: the tables grow one 64th at a time
/// (`ShardedHashSet64`) and the ring in chunks, so the peak stays at the steady size.
/// Two distinct ids collide with probability about n²/2⁶⁵: for 10 million ids in the
/// window, 3 in a million that one event is wrongly taken for a duplicate.
///
/// An admitted id is *pending* until the block holding its event is durable: `commit` makes
/// it permanent (it starts to age), `rollback` forgets it, so an event whose write failed is
/// accepted again when the client resends it. Pending and committed ids share one table, and
/// the caller keeps the pending hashes of its groups: admitting an id then costs one probe
/// and committing it none, where two tables cost four probes per id, each a cache miss in a
/// table of millions (the ingest writer spent a third of its time there).
///
/// The window is also bounded by count (`maxIDs`), so that memory stays bounded under any
/// load: past it the oldest committed ids are forgotten before their time, as if the window
/// were shorter for as long as the rate lasts (`forgottenEarly` counts them).
///
/// Not thread-safe; one writer owns it.
public struct DeduplicationWindow: DuplicateFilter, Sendable {
    /// How long an id is remembered, in microseconds of `received_at`.
    public var windowMicros: Int64
    /// Most ids remembered. Ten million by default: 180–230 MB (see above), the 24 h of a site
    /// that sends ten million events a day.
    public var maxIDs: Int
    /// Committed ids forgotten because of `maxIDs` before their window ended.
    public private(set) var forgottenEarly = 0

    /// Every id remembered, committed or pending.
    private var known = ShardedHashSet64()
    /// Committed hashes in commit order, oldest first, in chunks that expire whole: one time
    /// per chunk (its newest `received_at`) instead of one per id halves the ring, and an id
    /// is then remembered at most one chunk longer than the window, never shorter.
    private var ring: [RingChunk] = []
    private static let chunkSize = 1 << 16

    private struct RingChunk: Sendable {
        var hashes: [UInt64]
        var newest: Int64
    }

    public init(windowMicros: Int64 = 24 * 3_600 * 1_000_000, maxIDs: Int = 10_000_000) {
        self.windowMicros = windowMicros
        self.maxIDs = maxIDs
    }

    /// Ids remembered, committed or pending.
    public var count: Int { known.count }

    /// Makes room for `ids` ids in all, for a caller that knows how many are coming.
    public mutating func reserveCapacity(_ ids: Int) {
        known.reserveCapacity(ids)
    }

    /// Admits one id as pending; false when it is known. (`DuplicateFilter`, for tests and
    /// callers with a single id; writers use the batch form.)
    public mutating func admit(id: UnsafeRawBufferPointer) -> Bool {
        known.insert(DeduplicationWindow.hash(id))
    }

    /// Admits `hashes` (the ids' `hash(_:)`es, which the caller can compute on other threads)
    /// as pending, and calls `duplicate` with the index of every hash already known, including
    /// a repeat within `hashes`.
    public mutating func admit(hashes: UnsafeBufferPointer<UInt64>, duplicate: (Int) -> Void) {
        known.insert(contentsOf: hashes, duplicate: duplicate)
    }

    /// Makes admitted `hashes` permanent (their block is durable): they expire `windowMicros`
    /// after `receivedAt`. Pass only the hashes `admit` did not report as duplicates.
    public mutating func commit(hashes: UnsafeBufferPointer<UInt64>, receivedAt: Int64) {
        var rest = hashes[...]
        while !rest.isEmpty {
            if ring.isEmpty || ring[ring.count - 1].hashes.count == Self.chunkSize {
                var hashes: [UInt64] = []
                hashes.reserveCapacity(Self.chunkSize)
                ring.append(RingChunk(hashes: hashes, newest: receivedAt))
            }
            let last = ring.count - 1
            let room = Self.chunkSize - ring[last].hashes.count
            ring[last].hashes.append(contentsOf: rest.prefix(room))
            ring[last].newest = max(ring[last].newest, receivedAt)
            rest = rest.dropFirst(room)
        }
        // The newest chunk (being filled) always stays.
        let bound = maxIDs
        forgottenEarly += forgetOldest(keeping: 1) { _, known in known > bound }
    }

    /// Forgets admitted `hashes`: their block could not be written.
    public mutating func rollback(hashes: UnsafeBufferPointer<UInt64>) {
        known.remove(contentsOf: hashes)
    }

    /// Admits and commits at once, for a writer that stops at its first failed write and
    /// reloads the window from the log when it starts again (the importer).
    public mutating func admitCommitted(hashes: [UInt64], receivedAt: Int64, duplicate: (Int) -> Void) {
        hashes.withUnsafeBufferPointer { all in
            var duplicates: [Int] = []
            admit(hashes: all) { i in
                duplicates.append(i)
                duplicate(i)
            }
            var from = 0
            for end in duplicates + [all.count] {
                commit(hashes: UnsafeBufferPointer(rebasing: all[from..<end]), receivedAt: receivedAt)
                from = end + 1
            }
        }
    }

    /// Remembers one committed id read back from the log (`load(from:now:)`).
    mutating func remember(hash: UInt64, receivedAt: Int64) {
        guard known.insert(hash) else { return }
        withUnsafePointer(to: hash) { commit(hashes: UnsafeBufferPointer(start: $0, count: 1), receivedAt: receivedAt) }
    }

    /// Forgets committed ids received before `now - window`: every chunk whose newest id was.
    public mutating func expire(now: Int64) {
        let horizon = now - windowMicros
        forgetOldest { oldest, _ in oldest.newest < horizon }
    }

    /// Forgets whole chunks of the ring, oldest first, while `more(oldest chunk left, ids
    /// known)` holds and more than `keep` chunks are left; returns how many ids it forgot.
    @discardableResult
    private mutating func forgetOldest(keeping keep: Int = 0, while more: (RingChunk, Int) -> Bool) -> Int {
        var dropped = 0
        var forgotten = 0
        while dropped < ring.count - keep && more(ring[dropped], known.count) {
            let hashes = ring[dropped].hashes
            hashes.withUnsafeBufferPointer { known.remove(contentsOf: $0) }
            forgotten += ring[dropped].hashes.count
            dropped += 1
        }
        if dropped > 0 { ring.removeFirst(dropped) }
        return forgotten
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
