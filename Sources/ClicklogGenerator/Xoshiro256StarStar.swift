/// xoshiro256** (Blackman and Vigna, 2018), the generator behind every random choice of the
/// traffic generator.
///
/// Written here rather than taken from the standard library so that a seed gives the same bytes
/// on every platform and toolchain: `SystemRandomNumberGenerator` is not seedable, and the
/// standard library's `random(in:using:)` algorithms are free to change between releases. All
/// helpers below use integer arithmetic or exactly rounded IEEE operations only.
package struct Xoshiro256StarStar: RandomNumberGenerator, Sendable, Equatable {
    private var s0: UInt64
    private var s1: UInt64
    private var s2: UInt64
    private var s3: UInt64

    /// Expands `seed` through SplitMix64, as the authors recommend, so that nearby seeds
    /// (0, 1, 2 …) give unrelated streams and the all-zero state cannot occur.
    package init(seed: UInt64) {
        var mixer = SplitMix64(state: seed)
        s0 = mixer.next()
        s1 = mixer.next()
        s2 = mixer.next()
        s3 = mixer.next()
    }

    /// The raw state, for checking against the reference implementation's vectors.
    package init(state: (UInt64, UInt64, UInt64, UInt64)) {
        (s0, s1, s2, s3) = state
    }

    @inline(__always)
    package mutating func next() -> UInt64 {
        let result = rotateLeft(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = rotateLeft(s3, 45)
        return result
    }

    /// A value in `0..<bound` by multiply-shift (Lemire) without the rejection step: the bias is
    /// below bound / 2^64, far under anything the generator's statistics could show.
    @inline(__always)
    package mutating func below(_ bound: Int) -> Int {
        Int(truncatingIfNeeded: next().multipliedFullWidth(by: UInt64(bound)).high)
    }

    /// A value in `range` (inclusive), for ranges of at most 2^63 values.
    @inline(__always)
    package mutating func inRange(_ range: ClosedRange<Int64>) -> Int64 {
        let width = UInt64(bitPattern: range.upperBound &- range.lowerBound) &+ 1
        return range.lowerBound &+ Int64(bitPattern: next().multipliedFullWidth(by: width).high)
    }

    /// True with probability `percent` / 100.
    @inline(__always)
    package mutating func percent(_ percent: Int) -> Bool {
        below(100) < percent
    }

    /// A uniform double in (0, 1]: never zero, so that its logarithm is finite.
    @inline(__always)
    package mutating func unitOpenBelow() -> Double {
        Double((next() >> 11) &+ 1) * 0x1p-53
    }

    /// A random (version 4, RFC 9562) UUID as two big-endian halves, with the version and
    /// variant bits set.
    @inline(__always)
    package mutating func uuid() -> UUIDBits {
        let high = (next() & ~0xF000) | 0x4000
        let low = (next() & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000
        return UUIDBits(high: high, low: low)
    }

    @inline(__always)
    private func rotateLeft(_ x: UInt64, _ k: UInt64) -> UInt64 {
        (x << k) | (x >> (64 - k))
    }
}

/// SplitMix64 (Steele, Lea and Flood), used only to expand a seed into xoshiro state.
package struct SplitMix64: Sendable {
    package var state: UInt64

    package init(state: UInt64) {
        self.state = state
    }

    package mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// The 128 bits of a UUID, kept as integers until they are written as text.
package struct UUIDBits: Sendable, Hashable {
    package var high: UInt64
    package var low: UInt64
}
