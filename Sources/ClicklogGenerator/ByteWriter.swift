/// Writes JSON pieces (literals, integers, fixed-point amounts, UUIDs, copied bytes) straight
/// into a byte array's storage: the generator's hot path.
///
/// `Array.append(contentsOf:)` costs a uniqueness check, a capacity check and a `memmove` call
/// per piece, over half the generator's time with some 25 pieces per event; the writer instead
/// stores into a scratch area sized for the largest event, which is then appended in one copy
/// (`[UInt8].appendWriting(through:)`). Every write checks the room left, so a wrong bound traps
/// instead of corrupting memory.
struct ByteWriter {
    private let base: UnsafeMutablePointer<UInt8>
    private let capacity: Int
    /// Bytes written so far.
    private(set) var count = 0

    fileprivate init(base: UnsafeMutablePointer<UInt8>, capacity: Int) {
        self.base = base
        self.capacity = capacity
    }

    @inline(__always)
    private mutating func claim(_ n: Int) -> UnsafeMutablePointer<UInt8> {
        precondition(n <= capacity &- count, "event larger than the room claimed for it")
        defer { count &+= n }
        return base + count
    }

    @inline(__always)
    mutating func byte(_ b: UInt8) {
        claim(1).pointee = b
    }

    /// Copies bytes as they are (they must already be JSON where JSON is expected).
    @inline(__always)
    mutating func bytes(_ source: UnsafeBufferPointer<UInt8>) {
        guard let from = source.baseAddress else { return }
        claim(source.count).update(from: from, count: source.count)
    }

    /// Copies the literal's UTF-8 bytes as they are (the literals are JSON already).
    @inline(__always)
    mutating func literal(_ literal: StaticString) {
        bytes(UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }

    /// The decimal digits of `value`.
    @inline(__always)
    mutating func integer(_ value: Int64) {
        if value < 0 { byte(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        var digits = 1
        var power: UInt64 = 10
        while digits < 20, magnitude >= power {
            digits += 1
            power = power &* 10
        }
        let out = claim(digits)
        var i = digits
        repeat {
            i -= 1
            out[i] = UInt8(truncatingIfNeeded: 48 &+ magnitude % 10)
            magnitude /= 10
        } while i > 0
    }

    /// `cents` as a JSON number with two decimals: 2490 → `24.90`.
    @inline(__always)
    mutating func cents(_ cents: Int64) {
        if cents < 0 { byte(UInt8(ascii: "-")) }
        let magnitude = Int64(cents.magnitude)
        integer(magnitude / 100)
        let out = claim(3)
        out[0] = UInt8(ascii: ".")
        out[1] = UInt8(truncatingIfNeeded: 48 + magnitude % 100 / 10)
        out[2] = UInt8(truncatingIfNeeded: 48 + magnitude % 10)
    }

    /// The canonical lowercase text form of a UUID, `8-4-4-4-12` hex digits.
    @inline(__always)
    mutating func uuid(_ uuid: UUIDBits) {
        let out = claim(36)
        Self.hex(uuid.high >> 32, digits: 8, to: out)
        out[8] = UInt8(ascii: "-")
        Self.hex(uuid.high >> 16, digits: 4, to: out + 9)
        out[13] = UInt8(ascii: "-")
        Self.hex(uuid.high, digits: 4, to: out + 14)
        out[18] = UInt8(ascii: "-")
        Self.hex(uuid.low >> 48, digits: 4, to: out + 19)
        out[23] = UInt8(ascii: "-")
        Self.hex(uuid.low, digits: 12, to: out + 24)
    }

    /// The low `digits` hex digits of `value`, most significant first.
    @inline(__always)
    private static func hex(_ value: UInt64, digits: Int, to out: UnsafeMutablePointer<UInt8>) {
        var v = value
        var i = digits
        while i > 0 {
            i -= 1
            let d = UInt8(truncatingIfNeeded: v & 0xF)
            out[i] = d < 10 ? 48 &+ d : 87 &+ d
            v >>= 4
        }
    }
}

extension Array where Element == UInt8 {
    /// Lets `body` write into `scratch` (all of whose elements are room), then appends what it
    /// wrote: one uniqueness check and one copy per call, however many pieces `body` writes.
    @inline(__always)
    mutating func appendWriting<R>(through scratch: inout [UInt8], _ body: (inout ByteWriter) -> R) -> R {
        let (result, written) = scratch.withUnsafeMutableBufferPointer { room in
            var writer = ByteWriter(base: room.baseAddress!, capacity: room.count)
            let result = body(&writer)
            return (result, writer.count)
        }
        scratch.withUnsafeBufferPointer { append(contentsOf: UnsafeBufferPointer(rebasing: $0[..<written])) }
        return result
    }

    /// Appends `utf8` as the contents of a JSON string (without the quotes): `"` and `\` are
    /// escaped, control characters become `\n`-style or `\u00XX` escapes, everything else
    /// (including non-ASCII UTF-8) is copied as is. Cold path: the catalog escapes its strings
    /// once, at start-up.
    mutating func appendJSONEscaped(_ utf8: some Sequence<UInt8>) {
        for byte in utf8 {
            switch byte {
            case UInt8(ascii: "\""): append(contentsOf: #"\""#.utf8)
            case UInt8(ascii: "\\"): append(contentsOf: #"\\"#.utf8)
            case 0x0A: append(contentsOf: #"\n"#.utf8)
            case 0x0D: append(contentsOf: #"\r"#.utf8)
            case 0x09: append(contentsOf: #"\t"#.utf8)
            case 0x00..<0x20:
                append(contentsOf: #"\u00"#.utf8)
                append(byte < 0x10 ? 48 : 49)
                let low = byte & 0xF
                append(low < 10 ? 48 + low : 87 + low)
            default: append(byte)
            }
        }
    }
}
