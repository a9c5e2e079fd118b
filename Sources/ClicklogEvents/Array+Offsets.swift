extension Array where Element == UInt32 {
    /// Appends every offset of `source` moved by `base`: the row ends of one column appended
    /// to another. A loop of `append`s checked uniqueness and capacity per row (1.1 % of the
    /// server's CPU), and a lazy `map` called its closure per row across modules (2.5 %); this
    /// grows the array once and adds in place.
    @inlinable
    public mutating func append(offsets source: [UInt32], plus base: UInt32) {
        guard let last = source.last else { return }
        precondition(last <= UInt32.max - base, "column offsets overflow UInt32")
        let start = count
        append(contentsOf: source)
        withUnsafeMutableBufferPointer { ends in
            for i in start..<ends.count { ends[i] &+= base }
        }
    }

    /// The same for offsets kept as `Int` (the parser's scratch arrays).
    @inlinable
    public mutating func append(offsets source: [Int], plus base: Int) {
        guard let last = source.last else { return }
        precondition(last >= 0 && base >= 0 && last <= Int(UInt32.max) - base, "column offsets overflow UInt32")
        let start = count
        append(contentsOf: repeatElement(0, count: source.count))
        withUnsafeMutableBufferPointer { ends in
            source.withUnsafeBufferPointer { source in
                for i in source.indices { ends[start &+ i] = UInt32(truncatingIfNeeded: source[i] &+ base) }
            }
        }
    }
}
