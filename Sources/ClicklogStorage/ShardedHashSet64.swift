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

    /// `HashSet64.touch` for each hash, in whichever table it belongs.
    func touch(_ hashes: UnsafeBufferPointer<UInt64>) -> UInt64 {
        var sink: UInt64 = 0
        for hash in hashes { sink &+= shards[Self.shard(hash)].touch(hash) }
        return sink
    }
}
