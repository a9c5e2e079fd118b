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
    /// version 4 with the RFC variant (see `UUID4Codec`).
    ///
    /// Eight bytes at a time (the encoder checks every value of an id column): the dashes of
    /// the two middle words are checked and replaced by `0`, then each word must be all
    /// lowercase hex digits (`isHexWord`).
    @inline(__always)
    static func kind(_ value: UnsafeRawBufferPointer) -> Int {
        guard value.count == textLength else { return 0 }
        // Dashes at 8 and 13 are bytes 0 and 5 of the second word, 18 and 23 bytes 2 and 7 of the third.
        let dashes1: UInt64 = 0x0000_FF00_0000_00FF
        let dashes2: UInt64 = 0xFF00_0000_00FF_0000
        let dash: UInt64 = 0x2D2D_2D2D_2D2D_2D2D
        let zero: UInt64 = 0x3030_3030_3030_3030
        let w0 = value.loadUnaligned(fromByteOffset: 0, as: UInt64.self).littleEndian
        let w1 = value.loadUnaligned(fromByteOffset: 8, as: UInt64.self).littleEndian
        let w2 = value.loadUnaligned(fromByteOffset: 16, as: UInt64.self).littleEndian
        let w3 = value.loadUnaligned(fromByteOffset: 24, as: UInt64.self).littleEndian
        // The last four bytes twice, so that one word check covers them.
        let w4 = UInt64(value.loadUnaligned(fromByteOffset: 32, as: UInt32.self).littleEndian) &* 0x1_0000_0001
        guard w1 & dashes1 == dash & dashes1, w2 & dashes2 == dash & dashes2,
            isHexWord(w0), isHexWord(w1 & ~dashes1 | zero & dashes1), isHexWord(w2 & ~dashes2 | zero & dashes2),
            isHexWord(w3), isHexWord(w4)
        else { return 0 }
        let variant = value[19]
        return value[14] == UInt8(ascii: "4") && (variant == 0x38 || variant == 0x39 || variant == 0x61 || variant == 0x62) ? 2 : 1
    }

    /// Whether all eight bytes of `w` are `0-9` or `a-f`. For bytes below 0x80 (checked
    /// first), adding `0x80 - lo` sets a byte's high bit exactly when it is at least `lo`, and
    /// no sum carries into the next byte.
    @inline(__always)
    static func isHexWord(_ w: UInt64) -> Bool {
        let high: UInt64 = 0x8080_8080_8080_8080
        let ones: UInt64 = 0x0101_0101_0101_0101
        guard w & high == 0 else { return false }
        let digit = (w &+ ones &* (0x80 - 0x30)) & ~(w &+ ones &* (0x80 - 0x3A))
        let letter = (w &+ ones &* (0x80 - 0x61)) & ~(w &+ ones &* (0x80 - 0x67))
        return (digit | letter) & high == high
    }

    /// Whether `value` is a canonical lowercase UUID string.
    @inline(__always)
    static func isCanonical(_ value: UnsafeRawBufferPointer) -> Bool { kind(value) != 0 }

    /// Writes the 16 bytes of a canonical UUID string at `p`, eight hex digits at a time: the
    /// 32 digits without the dashes are four words (bytes 0–7, 9–12 with 14–17, 19–22 with
    /// 24–27, 28–35), each turned into four bytes by `hexWord`.
    @inline(__always)
    static func parse(_ value: UnsafeRawBufferPointer, into p: UnsafeMutablePointer<UInt8>) {
        func half(_ offset: Int) -> UInt64 { UInt64(value.loadUnaligned(fromByteOffset: offset, as: UInt32.self).littleEndian) }
        let words = (
            value.loadUnaligned(fromByteOffset: 0, as: UInt64.self).littleEndian,
            half(9) | half(14) << 32,
            half(19) | half(24) << 32,
            value.loadUnaligned(fromByteOffset: 28, as: UInt64.self).littleEndian)
        let raw = UnsafeMutableRawPointer(p)
        raw.storeBytes(of: hexWord(words.0).bigEndian, toByteOffset: 0, as: UInt32.self)
        raw.storeBytes(of: hexWord(words.1).bigEndian, toByteOffset: 4, as: UInt32.self)
        raw.storeBytes(of: hexWord(words.2).bigEndian, toByteOffset: 8, as: UInt32.self)
        raw.storeBytes(of: hexWord(words.3).bigEndian, toByteOffset: 12, as: UInt32.self)
    }

    /// The value of eight lowercase hex digits loaded little-endian (the first digit in the
    /// low byte), most significant digit first: "0123abcd" → 0x0123ABCD. A digit's value is
    /// its low nibble, plus 9 for `a-f` (bit 6 set); then neighbouring nibbles are merged into
    /// bytes and the bytes into the result.
    @inline(__always)
    static func hexWord(_ w: UInt64) -> UInt32 {
        let nibbles = (w & 0x0F0F_0F0F_0F0F_0F0F) &+ ((w >> 6) & 0x0101_0101_0101_0101) &* 9
        // Byte 2k: digit 2k (high nibble) with digit 2k+1 (low nibble).
        var v = (nibbles << 4 | nibbles >> 8) & 0x00FF_00FF_00FF_00FF
        v = (v | v >> 8) & 0x0000_FFFF_0000_FFFF
        v = (v | v >> 16) & 0xFFFF_FFFF
        // Bytes are now in text order (first digit pair lowest); the result wants it highest.
        return UInt32(truncatingIfNeeded: v).byteSwapped
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
    private static func hexDigit(_ n: UInt8) -> UInt8 { n < 10 ? 0x30 + n : 0x61 + n - 10 }
}
