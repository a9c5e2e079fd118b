/// A binary min-heap of the active visitors, keyed by the time of their next event.
///
/// Each key packs the time (ms since the window's start) above the visitor's slot number, so one
/// integer comparison orders by time and breaks ties by slot, which keeps the output
/// deterministic, and the heap is a flat `[UInt64]` (8 bytes per visitor).
struct VisitorQueue: Sendable {
    /// Bits for the slot: 2^25 (33 million) visitors active at once.
    static let slotBits: UInt64 = 25
    static let slotMask: UInt64 = (1 << slotBits) - 1
    /// Largest time offset a key can hold: 2^39 ms, about 17 years.
    static let maxOffset: Int64 = 1 << (64 - 25)

    private var keys: [UInt64] = []

    var isEmpty: Bool { keys.isEmpty }
    var count: Int { keys.count }

    /// The earliest key, if any.
    var top: UInt64? { keys.first }

    @inline(__always)
    static func key(offset: Int64, slot: Int) -> UInt64 {
        UInt64(offset) << slotBits | UInt64(slot)
    }

    @inline(__always)
    static func offset(of key: UInt64) -> Int64 { Int64(key >> slotBits) }

    @inline(__always)
    static func slot(of key: UInt64) -> Int { Int(key & slotMask) }

    mutating func push(_ key: UInt64) {
        keys.append(key)
        var i = keys.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard key < keys[parent] else { break }
            keys[i] = keys[parent]
            i = parent
        }
        keys[i] = key
    }

    /// Replaces the earliest key with `key` (the same visitor's next event).
    mutating func replaceTop(_ key: UInt64) {
        siftDown(key, from: 0)
    }

    /// Removes the earliest key.
    mutating func popTop() {
        let last = keys.removeLast()
        if !keys.isEmpty { siftDown(last, from: 0) }
    }

    @inline(__always)
    private mutating func siftDown(_ key: UInt64, from start: Int) {
        keys.withUnsafeMutableBufferPointer { heap in
            let n = heap.count
            var i = start
            while true {
                var child = 2 * i + 1
                if child >= n { break }
                if child + 1 < n, heap[child + 1] < heap[child] { child += 1 }
                guard heap[child] < key else { break }
                heap[i] = heap[child]
                i = child
            }
            heap[i] = key
        }
    }
}
