import ClicklogEvents

/// Gives every distinct `(tag, bytes)` a dense `UInt32` id, from several threads at once: how
/// per-block dictionary codes become ids that mean the same in every block.
///
/// The table is split into 64 shards by hash, each an open-addressing table with its own lock
/// and byte arena; a block's dictionary is interned in one batch that takes each shard's lock
/// once. An id is `(index in shard) << 6 | shard`, so ids are dense to within the shards'
/// imbalance (about 1 % at a million keys) without a shared counter, and `idBound` bounds them
/// for arrays indexed by id. The `tag` keeps namespaces apart: visitors use the site's id, so
/// one `anonymous_id` on two sites is two visitors.
final class Interner: @unchecked Sendable {
    static let shardBits = 6
    static let shardCount = 1 << shardBits
    /// Id of values that were not interned (null, filtered out).
    static let none = UInt32.max
    /// Bytes an entry costs besides its own bytes: hash, tag, end offset and two slots.
    static let entryOverhead = 8 + 4 + 4 + 2 * 4

    private final class Shard {
        let lock = QueryLock()
        /// 0 is an empty slot, otherwise an entry index + 1.
        var slots = [UInt32](repeating: 0, count: 64)
        var hashes: [UInt64] = []
        var tags: [UInt32] = []
        var ends: [UInt32] = []
        var arena: [UInt8] = []

        var count: Int { hashes.count }

        func bytes(of entry: Int) -> Range<Int> { (entry == 0 ? 0 : Int(ends[entry - 1]))..<Int(ends[entry]) }

        /// Finds or adds the key; the caller holds `lock`.
        func intern(_ key: UnsafeRawBufferPointer, tag: UInt32, hash: UInt64) -> UInt32 {
            if count * 2 >= slots.count { grow() }
            let mask = slots.count - 1
            var slot = Int(truncatingIfNeeded: hash >> UInt64(Interner.shardBits)) & mask
            while true {
                let s = Int(slots[slot])
                if s == 0 { break }
                let e = s - 1
                if hashes[e] == hash, tags[e] == tag {
                    let equal = arena.withUnsafeBytes { ByteHash.equal(UnsafeRawBufferPointer(rebasing: $0[bytes(of: e)]), key) }
                    if equal { return UInt32(e) }
                }
                slot = (slot + 1) & mask
            }
            let e = count
            slots[slot] = UInt32(e + 1)
            hashes.append(hash)
            tags.append(tag)
            arena.append(contentsOf: key)
            ends.append(UInt32(arena.count))
            return UInt32(e)
        }

        private func grow() {
            let size = slots.count * 2
            let mask = size - 1
            var fresh = [UInt32](repeating: 0, count: size)
            for e in 0..<count {
                var slot = Int(truncatingIfNeeded: hashes[e] >> UInt64(Interner.shardBits)) & mask
                while fresh[slot] != 0 { slot = (slot + 1) & mask }
                fresh[slot] = UInt32(e + 1)
            }
            slots = fresh
        }
    }

    private let shards: [Shard]
    private let budget: MemoryBudget
    private let what: String

    /// `what` names the keys in a memory-limit error ("visitors", "paths").
    init(budget: MemoryBudget, what: String) {
        shards = (0..<Self.shardCount).map { _ in Shard() }
        self.budget = budget
        self.what = what
    }

    /// Scratch buffers of one thread, reused from batch to batch.
    struct Scratch {
        var hashes: [UInt64] = []
        var order: [Int32] = []
        var shardStarts = [Int](repeating: 0, count: Interner.shardCount + 1)
    }

    /// Interns the values of `dictionary` for which `wanted` is true (all when nil), writing
    /// each one's id into `ids[i]`; null or unwanted values get `Interner.none`.
    func intern(
        _ dictionary: StringColumn, tag: UInt32, wanted: [Bool]? = nil,
        into ids: inout [UInt32], scratch: inout Scratch
    ) throws {
        let n = dictionary.count
        ids.removeAll(keepingCapacity: true)
        ids.append(contentsOf: repeatElement(Self.none, count: n))
        scratch.hashes.removeAll(keepingCapacity: true)
        scratch.hashes.append(contentsOf: repeatElement(0, count: n))
        for s in 0...Self.shardCount { scratch.shardStarts[s] = 0 }
        var addedBytes = 0
        dictionary.bytes.withUnsafeBytes { bytes in
            for i in 0..<n where !dictionary.isNull(i) && (wanted?[i] ?? true) {
                let h = ByteHash.hash(UnsafeRawBufferPointer(rebasing: bytes[dictionary.range(of: i)]), seed: UInt64(tag))
                scratch.hashes[i] = h
                scratch.shardStarts[Int(h & UInt64(Self.shardCount - 1)) + 1] += 1
            }
            for s in 0..<Self.shardCount { scratch.shardStarts[s + 1] += scratch.shardStarts[s] }
            scratch.order.removeAll(keepingCapacity: true)
            scratch.order.append(contentsOf: repeatElement(0, count: scratch.shardStarts[Self.shardCount]))
            var cursor = scratch.shardStarts
            for i in 0..<n where !dictionary.isNull(i) && (wanted?[i] ?? true) {
                let s = Int(scratch.hashes[i] & UInt64(Self.shardCount - 1))
                scratch.order[cursor[s]] = Int32(i)
                cursor[s] += 1
            }
            for s in 0..<Self.shardCount where scratch.shardStarts[s] < scratch.shardStarts[s + 1] {
                let shard = shards[s]
                shard.lock.withLock {
                    let before = shard.count
                    for k in scratch.shardStarts[s]..<scratch.shardStarts[s + 1] {
                        let i = Int(scratch.order[k])
                        let key = UnsafeRawBufferPointer(rebasing: bytes[dictionary.range(of: i)])
                        let local = shard.intern(key, tag: tag, hash: scratch.hashes[i])
                        ids[i] = local << UInt32(Self.shardBits) | UInt32(s)
                        if Int(local) >= before { addedBytes += key.count + Self.entryOverhead }
                    }
                }
            }
        }
        if addedBytes > 0 { try budget.reserve(addedBytes, what: what) }
    }

    /// Interns one key; for cold paths (a site name, a step's value).
    func intern(_ key: String, tag: UInt32 = 0) -> UInt32 {
        var key = key
        return key.withUTF8 { utf8 in
            let raw = UnsafeRawBufferPointer(utf8)
            let h = ByteHash.hash(raw, seed: UInt64(tag))
            let s = Int(h & UInt64(Self.shardCount - 1))
            let local = shards[s].lock.withLock { shards[s].intern(raw, tag: tag, hash: h) }
            return local << UInt32(Self.shardBits) | UInt32(s)
        }
    }

    /// The bytes of `id` as a string.
    func string(_ id: UInt32) -> String {
        let shard = shards[Int(id) & (Self.shardCount - 1)]
        let e = Int(id >> UInt32(Self.shardBits))
        return shard.lock.withLock { String(decoding: shard.arena[shard.bytes(of: e)], as: UTF8.self) }
    }

    /// The tag `id` was interned with.
    func tag(_ id: UInt32) -> UInt32 {
        let shard = shards[Int(id) & (Self.shardCount - 1)]
        return shard.lock.withLock { shard.tags[Int(id >> UInt32(Self.shardBits))] }
    }

    /// One more than the largest id given out so far.
    var idBound: Int {
        var largest = 0
        for shard in shards { largest = max(largest, shard.lock.withLock { shard.count }) }
        return largest << Self.shardBits
    }

    /// Number of distinct keys.
    var count: Int { shards.reduce(0) { total, shard in total + shard.lock.withLock { shard.count } } }
}
