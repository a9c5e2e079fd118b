import ClicklogEvents

/// Codec 7, `uuid`: each present value, a canonical lowercase UUID string
/// (`xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`, 36 bytes of `0-9a-f` and dashes), stored as its 16
/// bytes. A block uses it only when every present value is canonical, so decoding gives back
/// exactly the bytes that were written; anything else (uppercase, braces, other ids) falls back
/// to `plain` or `dictionary`.
///
/// Example, ["0123abcd-4567-4890-a1b2-c3d4e5f60718"]:
/// `01 23 AB CD 45 67 48 90 A1 B2 C3 D4 E5 F6 07 18`.
enum UUIDCodec {
    static let id = CodecID.uuid
    static let textLength = 36
    static let binaryLength = 16

    /// What a value is: 0 not a canonical lowercase UUID string, 1 canonical, 2 canonical of
    /// version 4 with the RFC variant (see `UUID4Codec`). One pass over the 36 bytes.
    @inline(__always)
    static func kind(_ value: UnsafeRawBufferPointer) -> Int {
        guard value.count == textLength else { return 0 }
        for i in 0..<textLength {
            let c = value[i]
            if i == 8 || i == 13 || i == 18 || i == 23 {
                if c != UInt8(ascii: "-") { return 0 }
            } else if !((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66)) {
                return 0
            }
        }
        let variant = value[19]
        return value[14] == UInt8(ascii: "4") && (variant == 0x38 || variant == 0x39 || variant == 0x61 || variant == 0x62) ? 2 : 1
    }

    /// Whether `value` is a canonical lowercase UUID string.
    @inline(__always)
    static func isCanonical(_ value: UnsafeRawBufferPointer) -> Bool { kind(value) != 0 }

    /// Writes the 16 bytes of a canonical UUID string at `p`.
    @inline(__always)
    static func parse(_ value: UnsafeRawBufferPointer, into p: UnsafeMutablePointer<UInt8>) {
        var i = 0
        var k = 0
        while i < textLength {
            if i == 8 || i == 13 || i == 18 || i == 23 { i += 1; continue }
            p[k] = nibble(value[i]) << 4 | nibble(value[i + 1])
            i += 2
            k += 1
        }
    }

    /// Writes the 36-character text of the 16 UUID bytes at `b` to `p`.
    @inline(__always)
    static func format(_ b: UnsafePointer<UInt8>, into p: UnsafeMutablePointer<UInt8>) {
        var k = 0
        for i in 0..<binaryLength {
            if i == 4 || i == 6 || i == 8 || i == 10 {
                p[k] = UInt8(ascii: "-")
                k += 1
            }
            p[k] = hexDigit(b[i] >> 4)
            p[k + 1] = hexDigit(b[i] & 0x0F)
            k += 2
        }
    }

    /// Appends the 16 bytes of a canonical UUID string.
    @inline(__always)
    static func pack(_ value: UnsafeRawBufferPointer, into out: inout [UInt8]) {
        out.appendWriting(maximum: binaryLength) { p in
            parse(value, into: p)
            return binaryLength
        }
    }

    /// Appends the 36-character text of 16 UUID bytes.
    @inline(__always)
    static func unpack(_ binary: UnsafeRawBufferPointer, into out: inout [UInt8]) {
        out.appendWriting(maximum: textLength) { p in
            format(binary.baseAddress!.assumingMemoryBound(to: UInt8.self), into: p)
            return textLength
        }
    }

    static func encode(_ column: StringColumn, into out: inout [UInt8]) {
        let presence = column.presence
        column.bytes.withUnsafeBytes { bytes in
            column.ends.withUnsafeBufferPointer { ends in
                out.appendWriting(maximum: ends.count * binaryLength) { p in
                    var n = 0
                    for row in 0..<ends.count {
                        if let presence, !presence[row] { continue }
                        let start = row == 0 ? 0 : Int(ends[row - 1])
                        parse(UnsafeRawBufferPointer(rebasing: bytes[start..<Int(ends[row])]), into: p + n)
                        n += binaryLength
                    }
                    return n
                }
            }
        }
    }

    static func decode(_ reader: inout ByteReader, presence: [Bool]?, rows: Int, into column: inout StringColumn) throws {
        column.removeAll(keepingCapacity: true)
        column.ends.reserveCapacity(rows)
        let present = presence.map { $0.reduce(0) { $0 + ($1 ? 1 : 0) } } ?? rows
        let binary = try reader.readBytes(present * binaryLength)
        column.bytes.appendWriting(maximum: present * textLength) { p in
            let source = binary.baseAddress!.assumingMemoryBound(to: UInt8.self)
            for k in 0..<present { format(source + k * binaryLength, into: p + k * textLength) }
            return present * textLength
        }
        var next: UInt32 = 0
        for row in 0..<rows {
            if presence == nil || presence![row] { next += UInt32(textLength) }
            column.ends.append(next)
        }
        column.presence = presence
    }

    @inline(__always)
    private static func nibble(_ c: UInt8) -> UInt8 { c <= 0x39 ? c &- 0x30 : c &- 0x61 &+ 10 }

    @inline(__always)
    private static func hexDigit(_ n: UInt8) -> UInt8 { n < 10 ? 0x30 + n : 0x61 + n - 10 }
}
