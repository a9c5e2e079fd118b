/// LEB128 varints and zigzag mapping, the integer primitives of every codec
/// (docs/format.md, "Integers").
///
/// A varint stores 7 bits per byte, least significant group first, with the high bit set on
/// every byte but the last: 300 = 0b1_0010_1100 → `AC 02`. Zigzag maps signed to unsigned so
/// small magnitudes stay short: 0 → 0, -1 → 1, 1 → 2, -2 → 3, Int64.min → UInt64.max.
enum Varint {
    @inline(__always)
    static func zigzag(_ v: Int64) -> UInt64 { UInt64(bitPattern: (v << 1) ^ (v >> 63)) }

    @inline(__always)
    static func unzigzag(_ u: UInt64) -> Int64 { Int64(bitPattern: u >> 1) ^ (0 &- Int64(bitPattern: u & 1)) }

    /// Bytes the varint of `v` takes, 1...10.
    @inline(__always)
    static func size(_ v: UInt64) -> Int {
        let bits = 64 - v.leadingZeroBitCount
        return bits <= 7 ? 1 : (bits + 6) / 7
    }
}

extension Array where Element == UInt8 {
    @inline(__always)
    mutating func appendVarint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        append(UInt8(truncatingIfNeeded: v))
    }

    @inline(__always)
    mutating func appendLittleEndian<T: FixedWidthInteger>(_ value: T) {
        var v = value.littleEndian
        Swift.withUnsafeBytes(of: &v) { append(contentsOf: $0) }
    }

    /// Overwrites `T.bitWidth / 8` bytes at `offset` with `value`, little-endian.
    @inline(__always)
    mutating func storeLittleEndian<T: FixedWidthInteger>(_ value: T, at offset: Int) {
        withUnsafeMutableBytes { $0.storeBytes(of: value.littleEndian, toByteOffset: offset, as: T.self) }
    }
}

/// 64 KiB of zeros to grow byte buffers from (see `appendZeros`).
private let zeroBytes = [UInt8](repeating: 0, count: 1 << 16)

extension Array where Element == UInt8 {
    /// Appends `count` zero bytes by copying from a zeroed block: a memcpy even in debug
    /// builds, where appending `repeatElement` goes byte by byte (seconds for 16 MiB).
    @inline(__always)
    mutating func appendZeros(_ count: Int) {
        reserveCapacity(self.count + count)
        var left = count
        while left > 0 {
            let n = Swift.min(left, zeroBytes.count)
            append(contentsOf: zeroBytes[0..<n])
            left -= n
        }
    }
}

extension Array where Element == UInt8 {
    /// Grows the array by up to `maximum` bytes written through a pointer by `body`, which
    /// returns how many it wrote; the rest is dropped. The hot loops write varints this way:
    /// one capacity check per chunk instead of one per byte.
    @inline(__always)
    mutating func appendWriting(maximum: Int, _ body: (UnsafeMutablePointer<UInt8>) throws -> Int) rethrows {
        let start = count
        appendZeros(maximum)
        let written = try withUnsafeMutableBufferPointer { try body($0.baseAddress! + start) }
        removeLast(maximum - written)
    }
}

extension Varint {
    /// Writes the varint of `value` at `p`; returns its size.
    @inline(__always)
    static func put(_ value: UInt64, at p: UnsafeMutablePointer<UInt8>) -> Int {
        var v = value
        var n = 0
        while v >= 0x80 {
            p[n] = UInt8(truncatingIfNeeded: v) | 0x80
            v >>= 7
            n += 1
        }
        p[n] = UInt8(truncatingIfNeeded: v)
        return n + 1
    }
}
