/// A set of 64-bit hashes: open addressing with linear probing over one flat array.
///
/// Why not `Set<UInt64>`: the deduplication window holds millions of ids that are already
/// well-mixed hashes, and `Set` hashes each of them again with SipHash and pays its generic
/// machinery on every insert; this table indexes by the hash's own bits. Measured on an import
/// of 1M events, the window's `Set` inserts and resizes were 5% of all CPU time.
///
/// Memory: 8 bytes per slot; the table grows by half past 80% full and halves below 12.5%, so
/// it holds 10–15 bytes per id while it grows. 80% rather than the usual 70%: the ingest server's
/// window holds tens of millions of ids under load, and a miss still reads only two or three
/// cache lines (linear probing, 8 slots a line), which the batch admit overlaps. Removal shifts the
/// following entries back (no tombstones), so a window that expires as much as it admits
/// never degrades.
struct HashSet64: Sendable {
    /// 0 marks an empty slot; a hash of 0 is stored as `zeroStandIn`.
    private var slots: [UInt64]
    private(set) var count = 0

    private static let zeroStandIn: UInt64 = 0x9E37_79B9_7F4A_7C15
    private static let minimumCapacity = 16

    /// `capacity` slots to start with (any size; at least 16).
    init(capacity: Int = 16) {
        slots = [UInt64](repeating: 0, count: max(Self.minimumCapacity, capacity))
    }

    /// Grows the table so that `count` hashes fit without another resize (no shrinking): the
    /// one place that keeps it at most 80% full.
    mutating func reserveCapacity(_ count: Int) {
        var capacity = slots.count
        while count * 5 > capacity * 4 { capacity += capacity / 2 }
        if capacity > slots.count { resize(capacity) }
    }

    @inline(__always) private static func key(_ hash: UInt64) -> UInt64 { hash == 0 ? zeroStandIn : hash }

    /// A key's home slot: its top bits scaled to the table (multiply-high), so the table can
    /// have any size and grow by half instead of doubling.
    @inline(__always) private static func home(_ key: UInt64, _ capacity: Int) -> Int {
        Int(truncatingIfNeeded: key.multipliedFullWidth(by: UInt64(capacity)).high)
    }

    @inline(__always) private static func next(_ i: Int, _ capacity: Int) -> Int {
        i + 1 == capacity ? 0 : i + 1
    }

    func contains(_ hash: UInt64) -> Bool {
        let key = Self.key(hash)
        return slots.withUnsafeBufferPointer { s in
            var i = Self.home(key, s.count)
            while true {
                let v = s[i]
                if v == key { return true }
                if v == 0 { return false }
                i = Self.next(i, s.count)
            }
        }
    }

    /// Loads the home slot of `hash` and returns it. Independent loads of several hashes
    /// overlap their cache misses; inserting the same hashes right after finds their slots in
    /// cache. (Swift has no prefetch instruction; a caller must keep the result somewhere, or
    /// the loads could be optimised away.)
    @inline(__always)
    func touch(_ hash: UInt64) -> UInt64 {
        slots.withUnsafeBufferPointer { s in s[Self.home(Self.key(hash), s.count)] }
    }

    /// `touch`, and the two cache lines after the home slot's: a removal reads on past its
    /// hash to the end of the run of occupied slots, which at 80% full is a dozen slots on
    /// average and crosses into the next lines.
    @inline(__always)
    func touchRun(_ hash: UInt64) -> UInt64 {
        slots.withUnsafeBufferPointer { s in
            let home = Self.home(Self.key(hash), s.count)
            let last = s.count - 1
            return s[home] &+ s[min(home &+ 8, last)] &+ s[min(home &+ 16, last)]
        }
    }

    /// Adds `hash`; false when it was already there.
    @discardableResult
    mutating func insert(_ hash: UInt64) -> Bool {
        reserveCapacity(count + 1)
        let key = Self.key(hash)
        let added = slots.withUnsafeMutableBufferPointer { s in
            var i = Self.home(key, s.count)
            while true {
                let v = s[i]
                if v == key { return false }
                if v == 0 {
                    s[i] = key
                    return true
                }
                i = Self.next(i, s.count)
            }
        }
        if added { count += 1 }
        return added
    }

    /// Removes `hash`; false when it was not there.
    @discardableResult
    mutating func remove(_ hash: UInt64) -> Bool {
        let key = Self.key(hash)
        let removed = slots.withUnsafeMutableBufferPointer { s in
            let n = s.count
            var hole = Self.home(key, n)
            while s[hole] != key {
                if s[hole] == 0 { return false }
                hole = Self.next(hole, n)
            }
            // Backward shift: move up every following entry whose home is not between the hole
            // and its slot, so that every probe sequence stays unbroken.
            var j = hole
            while true {
                j = Self.next(j, n)
                let v = s[j]
                if v == 0 { break }
                let home = Self.home(v, n)
                let staysPut = hole <= j ? (hole < home && home <= j) : (hole < home || home <= j)
                if staysPut { continue }
                s[hole] = v
                hole = j
            }
            s[hole] = 0
            return true
        }
        if removed {
            count -= 1
            if slots.count > Self.minimumCapacity && count * 8 < slots.count { resize(slots.count / 2) }
        }
        return removed
    }

    private mutating func resize(_ capacity: Int) {
        let old = slots
        slots = [UInt64](repeating: 0, count: capacity)
        slots.withUnsafeMutableBufferPointer { s in
            for v in old where v != 0 {
                var i = Self.home(v, capacity)
                while s[i] != 0 { i = Self.next(i, capacity) }
                s[i] = v
            }
        }
    }
}
