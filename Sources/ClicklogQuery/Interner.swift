import ClicklogEvents

/// Gives every distinct `(tag, bytes)` a dense `UInt32` id, from several threads at once: how
/// per-block dictionary codes become ids that mean the same in every block.
///
/// The table is split into 64 shards by the hash's top bits, each an open-addressing table with its own lock
/// and byte arena; a block's dictionary is interned in one batch that takes each shard's lock
/// once. An id is `(index in shard) << 6 | shard`, so ids are dense to within the shards'
/// imbalance (about 1 % at a million keys) without a shared counter, and `idBound` bounds them
/// for arrays indexed by id. The `tag` keeps namespaces apart: visitors use the site's id, so
/// one `anonymous_id` on two sites is two visitors.
///
/// A slot holds 32 bits of the key's hash next to the entry index, so a probe touches the arena
/// (one more cache miss) only when the hash fragment matches: in practice once per lookup that
/// finds its key and never for one that does not. Shards keep their arrays in raw memory: these
/// are the hottest loops of a query, and Swift arrays in a class pay exclusivity and uniqueness
/// checks on every access.
final class Interner: @unchecked Sendable {
    static let shardBits = 6
    static let shardCount = 1 << shardBits
    /// Id of values that were not interned (null, filtered out).
    static let none = UInt32.max
    /// Bytes an entry costs besides its own bytes (which only keys over 16 bytes add): its
    /// 32-byte record and two 8-byte slots.
    static let entryOverhead = 32 + 2 * 8
    /// Tag bit of keys that are packed UUIDs, so a packed key never equals a 16-byte text key.
    static let packedTag: UInt32 = 1 << 31

    private let shards: [Shard]
    private let budget: MemoryBudget
    private let what: String

    /// `what` names the keys in a memory-limit error ("visitor ids", "paths").
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
        var cursor = [Int](repeating: 0, count: Interner.shardCount)
        /// 16 bytes per dictionary entry: the packed UUID, when `isPacked`.
        var packed: [UInt8] = []
        var isPacked: [Bool] = []
        /// Where the touching loads of `intern` go, so that the optimiser keeps them.
        var sink: UInt64 = 0
    }

    /// How a batch's values become keys.
    enum KeyForm {
        /// The bytes as they are.
        case bytes
        /// Canonical UUID text as its 16 bytes (tagged `packedTag`), other values as they are.
        case uuidText
        /// Already 16-byte UUIDs (`DictionaryStrings.uuidsPacked`), keyed as `uuidText` keys
        /// their text.
        case packedUUIDs
    }

    /// Keys looked up together: their first slots are loaded in one tight loop, then the
    /// entries those slots point at, and only then are the keys found or added. Visitor tables
    /// outgrow the caches (48 bytes a visitor), and a lookup that waits for its two misses
    /// before the next starts spent most of interning waiting; loads issued back to back miss
    /// together. Swift has no prefetch instruction, so plain loads do it, summed into
    /// `Scratch.sink` to keep them; 16 fit in the core's reorder window with room to spare.
    static let batch = 16

    /// Interns the values of `dictionary` for which `wanted` is true (all when nil), writing
    /// each one's id into `ids[i]`; null, empty-when-`skipEmpty` and unwanted values get
    /// `Interner.none`. With `.uuidText`, canonical UUID text is interned as its 16 bytes (the
    /// visitors' `anonymous_id`s): a quarter of the hashing and an inline key, but `string(_:)`
    /// of such an id gives the packed bytes; `.packedUUIDs` takes those bytes as they come
    /// from the log, and gives the same ids.
    func intern(
        _ dictionary: StringColumn, tag: UInt32, wanted: [Bool]? = nil, skipEmpty: Bool = false, keys form: KeyForm = .bytes,
        into ids: inout [UInt32], scratch: inout Scratch
    ) throws {
        precondition(tag & Self.packedTag == 0, "tags use 31 bits")
        let n = dictionary.count
        ids.removeAll(keepingCapacity: true)
        ids.append(contentsOf: repeatElement(Self.none, count: n))
        if n == 0 { return }
        scratch.hashes.removeAll(keepingCapacity: true)
        scratch.hashes.append(contentsOf: repeatElement(0, count: n))
        scratch.order.removeAll(keepingCapacity: true)
        scratch.order.append(contentsOf: repeatElement(0, count: n))
        let shardShift = UInt64(64 - Self.shardBits)
        var addedBytes = 0
        let presence = dictionary.presence
        let packUUIDs = form == .uuidText
        if packUUIDs {
            scratch.packed.removeAll(keepingCapacity: true)
            scratch.packed.append(contentsOf: repeatElement(0, count: n * 16))
            scratch.isPacked.removeAll(keepingCapacity: true)
            scratch.isPacked.append(contentsOf: repeatElement(false, count: n))
        }
        // The tag of keys not packed here: packed ones when they came packed.
        let batchTag = form == .packedUUIDs ? tag | Self.packedTag : tag
        var sink = scratch.sink
        dictionary.bytes.withUnsafeBytes { bytes in
            dictionary.ends.withUnsafeBufferPointer { ends in
                scratch.hashes.withUnsafeMutableBufferPointer { hashes in
                    scratch.order.withUnsafeMutableBufferPointer { order in
                        scratch.shardStarts.withUnsafeMutableBufferPointer { starts in
                          scratch.cursor.withUnsafeMutableBufferPointer { cursor in
                            ids.withUnsafeMutableBufferPointer { ids in
                              scratch.packed.withUnsafeMutableBytes { packed in
                                scratch.isPacked.withUnsafeMutableBufferPointer { isPacked in
                                // The key of entry i: its packed UUID, or its bytes.
                                func key(_ i: Int, _ start: Int, _ end: Int) -> UnsafeRawBufferPointer {
                                    packUUIDs && isPacked[i]
                                        ? UnsafeRawBufferPointer(rebasing: packed[(i * 16)..<(i * 16 + 16)])
                                        : UnsafeRawBufferPointer(rebasing: bytes[start..<end])
                                }
                                func keyTag(_ i: Int) -> UInt32 { packUUIDs && isPacked[i] ? tag | Self.packedTag : batchTag }
                                for s in 0...Self.shardCount { starts[s] = 0 }
                                // Hash the wanted values and count them per shard.
                                var included = 0
                                for i in 0..<n {
                                    let start = i == 0 ? 0 : Int(ends[i - 1])
                                    let end = Int(ends[i])
                                    if let presence, !presence[i] { continue }
                                    if let wanted, !wanted[i] { continue }
                                    if skipEmpty, start == end { continue }
                                    if packUUIDs {
                                        isPacked[i] = UUIDText.pack(
                                            UnsafeRawBufferPointer(rebasing: bytes[start..<end]),
                                            into: UnsafeMutableRawBufferPointer(rebasing: packed[(i * 16)..<(i * 16 + 16)]))
                                    }
                                    let h = ByteHash.hash(key(i, start, end), seed: UInt64(keyTag(i)))
                                    hashes[i] = h | 1  // 0 marks "not included"
                                    starts[Int(h >> shardShift) + 1] += 1
                                    included += 1
                                }
                                if included == 0 { return }
                                for s in 0..<Self.shardCount { starts[s + 1] += starts[s] }
                                for s in 0..<Self.shardCount { cursor[s] = starts[s] }
                                for i in 0..<n where hashes[i] != 0 {
                                    let s = Int(hashes[i] >> shardShift)
                                    order[cursor[s]] = Int32(i)
                                    cursor[s] += 1
                                }
                                // One lock per shard.
                                for s in 0..<Self.shardCount where starts[s] < starts[s + 1] {
                                    let shard = shards[s]
                                    let (lo, hi) = (starts[s], starts[s + 1])
                                    shard.lock.withLock {
                                        var batch = lo
                                        while batch < hi {
                                            let batchEnd = min(batch + Self.batch, hi)
                                            // Touch the batch's slots, then the entries they point at, in
                                            // tight loops, so that their cache misses overlap.
                                            var touched: UInt64 = 0
                                            for k in batch..<batchEnd { touched &+= shard.firstSlot(hashes[Int(order[k])]) }
                                            for k in batch..<batchEnd { touched &+= shard.firstEntry(hashes[Int(order[k])]) }
                                            sink &+= touched
                                            for k in batch..<batchEnd {
                                                let i = Int(order[k])
                                                let start = i == 0 ? 0 : Int(ends[i - 1])
                                                let key = key(i, start, Int(ends[i]))
                                                let (local, added) = shard.intern(key, tag: keyTag(i), hash: hashes[i])
                                                ids[i] = local << UInt32(Self.shardBits) | UInt32(s)
                                                if added { addedBytes += (key.count > 16 ? key.count : 0) + Self.entryOverhead }
                                            }
                                            batch = batchEnd
                                        }
                                    }
                                }
                                }
                              }
                            }
                          }
                        }
                    }
                }
            }
        }
        scratch.sink = sink
        if addedBytes > 0 { try budget.reserve(addedBytes, what: what) }
    }

    /// Interns one key; for cold paths (a site name, a value).
    func intern(_ key: String, tag: UInt32 = 0) -> UInt32 {
        var key = key
        return key.withUTF8 { utf8 in
            let raw = UnsafeRawBufferPointer(utf8)
            let h = ByteHash.hash(raw, seed: UInt64(tag)) | 1
            let s = Int(h >> UInt64(64 - Self.shardBits))
            let local = shards[s].lock.withLock { shards[s].intern(raw, tag: tag, hash: h).index }
            return local << UInt32(Self.shardBits) | UInt32(s)
        }
    }

    /// The bytes of `id` as a string.
    func string(_ id: UInt32) -> String {
        let shard = shards[Int(id) & (Self.shardCount - 1)]
        return shard.lock.withLock { shard.string(Int(id >> UInt32(Self.shardBits))) }
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

/// One shard of an `Interner`: an open-addressing table over entries in raw memory. Callers hold `lock`.
private final class Shard {
    /// A key: keys of up to 16 bytes are stored inline (packed UUIDs, event names), longer ones
    /// in the arena at `a`. One 32-byte record, so a match costs one cache line besides the slot.
    struct Entry {
        var hash: UInt64
        var tag: UInt32
        var length: UInt32
        var a: UInt64
        var b: UInt64
    }

    let lock = QueryLock()
    /// Empty (0), or the key hash's upper 32 bits and the entry index + 1 in the lower.
    private var slots: UnsafeMutablePointer<UInt64>
    private var slotMask: Int
    private var entries: UnsafeMutablePointer<Entry>
    private var entryCapacity: Int
    private var arena: UnsafeMutablePointer<UInt8>
    private var arenaCapacity: Int
    private var arenaUsed = 0
    private(set) var count = 0

    init() {
        slotMask = 63
        slots = .allocate(capacity: 64)
        slots.initialize(repeating: 0, count: 64)
        entryCapacity = 32
        entries = .allocate(capacity: entryCapacity)
        arenaCapacity = 1024
        arena = .allocate(capacity: arenaCapacity)
    }

    deinit {
        slots.deallocate()
        entries.deallocate()
        arena.deallocate()
    }

    func string(_ e: Int) -> String {
        let entry = entries[e]
        let length = Int(entry.length)
        if length > 16 { return String(decoding: UnsafeBufferPointer(start: arena + Int(entry.a), count: length), as: UTF8.self) }
        return withUnsafeBytes(of: (entry.a, entry.b)) { String(decoding: $0.prefix(length), as: UTF8.self) }
    }

    /// The first 16 bytes of a short key as two words, zero-padded.
    @inline(__always)
    static func inline(_ key: UnsafeRawBufferPointer) -> (UInt64, UInt64) {
        var words: (UInt64, UInt64) = (0, 0)
        if key.count > 0 { withUnsafeMutableBytes(of: &words) { $0.copyMemory(from: key) } }
        return words
    }

    /// The key's first slot, loaded before `intern` to start its cache miss early.
    @inline(__always)
    func firstSlot(_ hash: UInt64) -> UInt64 {
        slots[Int(truncatingIfNeeded: hash >> UInt64(Interner.shardBits)) & slotMask]
    }

    /// The hash of the entry the key's first slot points at (0 when empty), loaded before
    /// `intern`: usually the key's own entry.
    @inline(__always)
    func firstEntry(_ hash: UInt64) -> UInt64 {
        let s = firstSlot(hash)
        return s == 0 ? 0 : entries[Int(truncatingIfNeeded: s & 0xFFFF_FFFF) - 1].hash
    }

    /// Finds or adds the key (whose `hash` is never 0); returns its index and whether it is new.
    @inline(__always)
    func intern(_ key: UnsafeRawBufferPointer, tag: UInt32, hash: UInt64) -> (index: UInt32, added: Bool) {
        let fragment = hash >> 32
        let short = key.count <= 16
        let (a, b) = short ? Self.inline(key) : (0, 0)
        var slot = Int(truncatingIfNeeded: hash >> UInt64(Interner.shardBits)) & slotMask
        while true {
            let s = slots[slot]
            if s == 0 { break }
            if s >> 32 == fragment {
                let e = Int(truncatingIfNeeded: s & 0xFFFF_FFFF) - 1
                let entry = entries[e]
                if entry.hash == hash, entry.tag == tag, Int(entry.length) == key.count,
                    short ? (entry.a == a && entry.b == b) : memcmp(arena + Int(entry.a), key.baseAddress!, key.count) == 0 {
                    return (UInt32(e), false)
                }
            }
            slot = (slot + 1) & slotMask
        }
        let e = count
        if e == entryCapacity { growEntries() }
        var entry = Entry(hash: hash, tag: tag, length: UInt32(key.count), a: a, b: b)
        if !short {
            if arenaUsed + key.count > arenaCapacity { growArena(arenaUsed + key.count) }
            (arena + arenaUsed).update(from: key.baseAddress!.assumingMemoryBound(to: UInt8.self), count: key.count)
            entry.a = UInt64(arenaUsed)
            arenaUsed += key.count
        }
        (entries + e).initialize(to: entry)
        count += 1
        slots[slot] = fragment << 32 | UInt64(e + 1)
        if count * 2 > slotMask { growSlots() }
        return (UInt32(e), true)
    }

    private func growEntries() {
        let capacity = entryCapacity * 2
        let fresh = UnsafeMutablePointer<Entry>.allocate(capacity: capacity)
        fresh.moveInitialize(from: entries, count: count)
        entries.deallocate()
        entries = fresh
        entryCapacity = capacity
    }

    private func growArena(_ needed: Int) {
        var capacity = arenaCapacity * 2
        while capacity < needed { capacity *= 2 }
        let fresh = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
        fresh.update(from: arena, count: arenaUsed)
        arena.deallocate()
        arena = fresh
        arenaCapacity = capacity
    }

    private func growSlots() {
        let size = (slotMask + 1) * 2
        slots.deallocate()
        slots = .allocate(capacity: size)
        slots.initialize(repeating: 0, count: size)
        slotMask = size - 1
        for e in 0..<count {
            let hash = entries[e].hash
            var slot = Int(truncatingIfNeeded: hash >> UInt64(Interner.shardBits)) & slotMask
            while slots[slot] != 0 { slot = (slot + 1) & slotMask }
            slots[slot] = (hash >> 32) << 32 | UInt64(e + 1)
        }
    }
}

/// Canonical UUID text (36 bytes, lowercase hex, dashes at 8, 13, 18 and 23) packed into its
/// 16 bytes, so that visitor ids intern as short keys; nil for anything else. Hex digits go
/// through a table and validity is checked once per value: random hex made a branch per
/// digit mispredict half the time.
enum UUIDText {
    /// The value of each lowercase hex digit, 0xFF for every other byte.
    static let hexValues: [UInt8] = (0..<256).map { c in
        switch c {
        case 0x30...0x39: UInt8(c - 0x30)
        case 0x61...0x66: UInt8(c - 0x61 + 10)
        default: 0xFF
        }
    }

    @inline(__always)
    static func pack(_ text: UnsafeRawBufferPointer, into out: UnsafeMutableRawBufferPointer) -> Bool {
        guard text.count == 36, text[8] == 0x2D, text[13] == 0x2D, text[18] == 0x2D, text[23] == 0x2D else { return false }
        return hexValues.withUnsafeBufferPointer { hex in
            var bad: UInt8 = 0
            var i = 0
            var o = 0
            while i < 36 {
                if i == 8 || i == 13 || i == 18 || i == 23 { i += 1 }
                let hi = hex[Int(text[i])]
                let lo = hex[Int(text[i + 1])]
                bad |= hi | lo
                out[o] = hi << 4 | lo
                o += 1
                i += 2
            }
            return bad & 0xF0 == 0
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
