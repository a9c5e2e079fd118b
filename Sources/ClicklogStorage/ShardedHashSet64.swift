import Foundation

/// `HashSet64` split into 64 tables by the hash's low bits, for the deduplication window.
///
/// Why: one table of millions of ids doubles all at once, and while it rehashes the old and
/// the new slot arrays are both alive. At a million events per second that was hundreds of
/// megabytes for a moment, which decided the server's peak memory. Split, each table grows
/// on its own and the moment costs 1/64 of that. Lookups cost the same: the table is chosen
/// by low bits, and a table places a hash by its top bits.
struct ShardedHashSet64: Sendable {
    /// Starting sizes spread over one growth step (64 to 96 slots, geometrically): with evenly
    /// spread hashes, equal tables would all cross their growth point within the same few
    /// inserts, and 64 rehashes in a row stall the writer as one big table would.
    private var shards = (0..<64).map { HashSet64(capacity: Int((64 * pow(1.5, Double($0) / 64)).rounded())) }
    private(set) var count = 0
    /// Keeps `HashSet64.touch`'s loads alive; never read for anything else.
    private var touchSink: UInt64 = 0

    @inline(__always) private static func shard(_ hash: UInt64) -> Int { Int(truncatingIfNeeded: hash & 63) }

    /// Makes room for `count` hashes in all, assuming they spread evenly.
    mutating func reserveCapacity(_ count: Int) {
        let each = count / shards.count + 1
        for i in shards.indices { shards[i].reserveCapacity(each) }
    }

    func contains(_ hash: UInt64) -> Bool {
        shards[Self.shard(hash)].contains(hash)
    }

    /// Adds `hash`; false when it was already there.
    @discardableResult
    mutating func insert(_ hash: UInt64) -> Bool {
        let added = shards[Self.shard(hash)].insert(hash)
        if added { count += 1 }
        return added
    }

    /// Removes `hash`; false when it was not there.
    @discardableResult
    mutating func remove(_ hash: UInt64) -> Bool {
        let removed = shards[Self.shard(hash)].remove(hash)
        if removed { count -= 1 }
        return removed
    }

    /// Inserts `hashes`, calling `duplicate` with the index of each one already there
    /// (including a repeat within `hashes`).
    mutating func insert(contentsOf hashes: UnsafeBufferPointer<UInt64>, duplicate: (Int) -> Void) {
        lookingAhead(hashes, run: false) { set, i in
            if !set.insert(hashes[i]) { duplicate(i) }
        }
    }

    /// Removes `hashes` (those not there are skipped).
    mutating func remove(contentsOf hashes: UnsafeBufferPointer<UInt64>) {
        lookingAhead(hashes, run: true) { set, i in set.remove(hashes[i]) }
    }

    /// Calls `body` for each index of `hashes`, after loading the home slots of the next 16
    /// (`HashSet64.touch`; with `run`, `touchRun`), so that their cache misses overlap instead
    /// of coming one after the other: in a table of millions nearly every hash misses, and the
    /// misses are most of an insert or a removal. In a full window of 10M ids
    /// (`swift package benchmark`, `deduplicate`) a removal one at a time cost about 200 ns,
    /// two and a half inserts; 16 at a time with their runs loaded, about 80.
    private mutating func lookingAhead(
        _ hashes: UnsafeBufferPointer<UInt64>, run: Bool, _ body: (inout Self, Int) -> Void
    ) {
        let group = 16
        var start = 0
        while start < hashes.count {
            let end = min(start + group, hashes.count)
            for i in start..<end {
                let hash = hashes[i]
                touchSink &+= run ? shards[Self.shard(hash)].touchRun(hash) : shards[Self.shard(hash)].touch(hash)
            }
            for i in start..<end { body(&self, i) }
            start = end
        }
    }
}
