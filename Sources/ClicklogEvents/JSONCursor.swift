/// A validating, allocation-free scanner over the bytes of one JSON message.
///
/// It tokenises and validates (RFC 8259 grammar and UTF-8, including escapes and surrogate
/// pairs) but does not build values: strings come back as byte ranges in the message, decoded
/// only when they contain escapes. `MessageParser` drives it and writes straight into columns.
@usableFromInline
struct JSONCursor {
    /// A scanned string: the bytes between the quotes, and whether they need unescaping.
    struct StringToken {
        var start: Int
        var end: Int
        var hasEscapes: Bool
        var count: Int { end - start }
    }

    /// A scanned number: its literal text and, when it has no fraction or exponent and fits,
    /// its exact integer value.
    struct NumberToken {
        var start: Int
        var end: Int
        var integer: Int64?
        /// Whether the value could be beyond `Double`: it has an exponent or over 300 digits.
        var mayOverflow: Bool
    }

    let base: UnsafePointer<UInt8>
    let end: Int
    var pos: Int

    init(_ bytes: UnsafeRawBufferPointer) {
        // An empty buffer may have a nil base; point at a harmless static byte instead.
        base = bytes.baseAddress.map { $0.assumingMemoryBound(to: UInt8.self) } ?? JSONCursor.emptyBase
        end = bytes.count
        pos = 0
    }

    // Read-only after initialisation.
    nonisolated(unsafe) private static let emptyBase: UnsafePointer<UInt8> = {
        let p = UnsafeMutablePointer<UInt8>.allocate(capacity: 1)
        p.initialize(to: 0)
        return UnsafePointer(p)
    }()

    @inline(__always) var atEnd: Bool { pos >= end }

    /// The current byte, or 0 at the end (0 is never valid where a token is expected).
    @inline(__always) var current: UInt8 { pos < end ? base[pos] : 0 }

    @inline(__always) func fail(_ reason: String, at offset: Int? = nil) -> JSONSyntaxError {
        JSONSyntaxError(offset: offset ?? pos, reason: reason)
    }

    @inline(__always) mutating func skipWhitespace() {
        while pos < end {
            switch base[pos] {
            case 0x20, 0x0A, 0x0D, 0x09: pos += 1
            default: return
            }
        }
    }

    /// Skips whitespace and consumes `byte`, or fails naming what was expected.
    @inline(__always) mutating func expect(_ byte: UInt8, _ what: StaticString) throws(JSONSyntaxError) {
        skipWhitespace()
        guard current == byte else { throw unexpected(expected: what) }
        pos += 1
    }

    func unexpected(expected: StaticString) -> JSONSyntaxError {
        if atEnd { return fail("unexpected end of input, expected \(expected)") }
        let byte = base[pos]
        if byte >= 0x20 && byte < 0x7F {
            return fail("unexpected '\(Character(Unicode.Scalar(byte)))', expected \(expected)")
        }
        return fail("unexpected byte 0x\(String(byte, radix: 16)), expected \(expected)")
    }

    // MARK: Strings

    /// Scans a string whose opening quote is at `pos`, validating escapes and UTF-8.
    ///
    /// Inlined for the common case, a string of plain ASCII without escapes: eight bytes at a
    /// time up to the first byte that needs a look, and if that is the closing quote, done.
    /// Anything else (an escape, a control byte, UTF-8, the end of the input) continues in
    /// `scanStringRest`, out of line.
    @inline(__always)
    mutating func scanString() throws(JSONSyntaxError) -> StringToken {
        pos += 1  // opening quote
        let start = pos
        skipPlainBytes()
        if pos < end && base[pos] == UInt8(ascii: "\"") {
            pos += 1
            return StringToken(start: start, end: pos - 1, hasEscapes: false)
        }
        return try scanStringRest(start: start, hasEscapes: false)
    }

    /// Moves `pos` over bytes that need no look, eight at a time; stops at the first one that
    /// does (quote, backslash, control or non-ASCII) or where fewer than eight bytes are left.
    @inline(__always)
    private mutating func skipPlainBytes() {
        // The lowest flagged byte of a word is exact (see `specialBytes`).
        while pos &+ 8 <= end {
            let word = UnsafeRawPointer(base + pos).loadUnaligned(as: UInt64.self)
            let special = JSONCursor.specialBytes(word)
            if special != 0 {
                pos &+= special.trailingZeroBitCount &>> 3
                return
            }
            pos &+= 8
        }
    }

    /// The rest of a string from `pos`, which started at `start`: escapes, UTF-8 sequences,
    /// errors, and the last bytes of the input.
    private mutating func scanStringRest(start: Int, hasEscapes: Bool) throws(JSONSyntaxError) -> StringToken {
        var hasEscapes = hasEscapes
        while true {
            guard pos < end else { throw fail("unterminated string", at: start - 1) }
            let byte = base[pos]
            if byte == UInt8(ascii: "\"") {
                let token = StringToken(start: start, end: pos, hasEscapes: hasEscapes)
                pos += 1
                return token
            } else if byte == UInt8(ascii: "\\") {
                hasEscapes = true
                try scanEscape()
            } else if byte < 0x20 {
                throw fail("control character 0x\(String(byte, radix: 16)) in string must be escaped")
            } else if byte < 0x80 {
                pos += 1
            } else {
                try scanUTF8Sequence()
            }
            skipPlainBytes()
        }
    }

    /// A mask with the high bit set in bytes of `w` (little-endian) that are `"`, `\`, below
    /// 0x20 or above 0x7F. Bytes above the lowest flagged one may be flagged falsely (a borrow
    /// carries over), so only the lowest set bit is meaningful; zero means eight plain bytes.
    @inline(__always) static func specialBytes(_ w: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let high: UInt64 = 0x8080_8080_8080_8080
        let quote = w ^ (ones &* 0x22)
        let slash = w ^ (ones &* 0x5C)
        let hasQuote = (quote &- ones) & ~quote
        let hasSlash = (slash &- ones) & ~slash
        let hasControl = (w &- ones &* 0x20) & ~w
        return (hasQuote | hasSlash | hasControl | w) & high
    }

    private mutating func scanEscape() throws(JSONSyntaxError) {
        let at = pos
        pos += 1
        guard pos < end else { throw fail("unterminated escape", at: at) }
        switch base[pos] {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
            UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            pos += 1
        case UInt8(ascii: "u"):
            pos += 1
            let unit = try hex4(at: at)
            if unit >= 0xD800 && unit <= 0xDBFF {
                guard pos + 1 < end, base[pos] == UInt8(ascii: "\\"), base[pos + 1] == UInt8(ascii: "u")
                else { throw fail("lone high surrogate \\u\(String(unit, radix: 16, uppercase: true))", at: at) }
                pos += 2
                let low = try hex4(at: at)
                guard low >= 0xDC00 && low <= 0xDFFF
                else { throw fail("high surrogate not followed by a low surrogate", at: at) }
            } else if unit >= 0xDC00 && unit <= 0xDFFF {
                throw fail("lone low surrogate \\u\(String(unit, radix: 16, uppercase: true))", at: at)
            }
        default:
            throw fail("invalid escape", at: at)
        }
    }

    private mutating func hex4(at escape: Int) throws(JSONSyntaxError) -> UInt32 {
        guard pos + 4 <= end else { throw fail("truncated \\u escape", at: escape) }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let c = base[pos]
            let digit: UInt32
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(c &- 48)
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(c &- 87)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(c &- 55)
            default: throw fail("invalid hex digit in \\u escape", at: escape)
            }
            value = value << 4 | digit
            pos += 1
        }
        return value
    }

    /// Validates one multi-byte UTF-8 sequence at `pos` (Unicode 15, table 3-7: no overlongs,
    /// no surrogates, nothing above U+10FFFF).
    private mutating func scanUTF8Sequence() throws(JSONSyntaxError) {
        let b0 = base[pos]
        var length = 0
        var lower: UInt8 = 0x80
        var upper: UInt8 = 0xBF
        switch b0 {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; lower = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; upper = 0x9F
        case 0xF0: length = 4; lower = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; upper = 0x8F
        default: throw fail("invalid UTF-8 lead byte 0x\(String(b0, radix: 16))")
        }
        guard pos + length <= end else { throw fail("truncated UTF-8 sequence") }
        let b1 = base[pos + 1]
        guard b1 >= lower && b1 <= upper else { throw fail("invalid UTF-8 sequence") }
        for i in 2..<length where base[pos + i] & 0xC0 != 0x80 {
            throw fail("invalid UTF-8 sequence")
        }
        pos += length
    }

    /// Appends the unescaped UTF-8 bytes of a token that `scanString` already validated.
    func decode(_ token: StringToken, into out: inout [UInt8]) {
        guard token.hasEscapes else {
            out.append(contentsOf: UnsafeRawBufferPointer(start: base + token.start, count: token.count))
            return
        }
        var i = token.start
        while i < token.end {
            let c = base[i]
            guard c == UInt8(ascii: "\\") else {
                out.append(c)
                i += 1
                continue
            }
            let e = base[i + 1]
            i += 2
            switch e {
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = hexValue(at: i)
                i += 4
                if scalar >= 0xD800 && scalar <= 0xDBFF {
                    let low = hexValue(at: i + 2)
                    i += 6
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                }
                JSONCursor.appendUTF8(scalar, to: &out)
            default: out.append(e)  // " \ /
            }
        }
    }

    private func hexValue(at i: Int) -> UInt32 {
        var value: UInt32 = 0
        for k in 0..<4 {
            let c = base[i + k]
            let digit: UInt32 = c <= 57 ? UInt32(c - 48) : c <= 70 ? UInt32(c - 55) : UInt32(c - 87)
            value = value << 4 | digit
        }
        return value
    }

    static func appendUTF8(_ scalar: UInt32, to out: inout [UInt8]) {
        switch scalar {
        case 0..<0x80:
            out.append(UInt8(scalar))
        case 0x80..<0x800:
            out.append(UInt8(0xC0 | scalar >> 6))
            out.append(UInt8(0x80 | scalar & 0x3F))
        case 0x800..<0x10000:
            out.append(UInt8(0xE0 | scalar >> 12))
            out.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            out.append(UInt8(0x80 | scalar & 0x3F))
        default:
            out.append(UInt8(0xF0 | scalar >> 18))
            out.append(UInt8(0x80 | scalar >> 12 & 0x3F))
            out.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            out.append(UInt8(0x80 | scalar & 0x3F))
        }
    }

    /// Whether the token's bytes equal an ASCII name (keys are compared before any decoding;
    /// a key spelled with escapes never matches a known field and is treated as unknown after
    /// decoding by the caller).
    @inline(__always) func equals(_ token: StringToken, _ name: StaticString) -> Bool {
        guard token.count == name.utf8CodeUnitCount else { return false }
        return memcmp(base + token.start, name.utf8Start, token.count) == 0
    }

    // MARK: Numbers and literals

    /// Scans a number per the JSON grammar; `integer` is set when it has no fraction or
    /// exponent and fits in `Int64`.
    mutating func scanNumber() throws(JSONSyntaxError) -> NumberToken {
        let start = pos
        var negative = false
        if current == UInt8(ascii: "-") {
            negative = true
            pos += 1
        }
        var magnitude: UInt64 = 0
        var overflow = false
        let digitsStart = pos
        if current == UInt8(ascii: "0") {
            pos += 1
        } else if current >= UInt8(ascii: "1") && current <= UInt8(ascii: "9") {
            // Eight digits at a time while the value cannot overflow (timestamps have 13),
            // then one at a time.
            while pos &+ 8 <= end && magnitude < 100_000_000_000 {
                let word = UnsafeRawPointer(base + pos).loadUnaligned(as: UInt64.self).littleEndian
                guard JSONCursor.isEightDigits(word) else { break }
                magnitude = magnitude &* 100_000_000 &+ JSONCursor.eightDigitsValue(word)
                pos &+= 8
            }
            while pos < end, case let d = base[pos] &- 48, d < 10 {
                let (m, o1) = magnitude.multipliedReportingOverflow(by: 10)
                let (s, o2) = m.addingReportingOverflow(UInt64(d))
                overflow = overflow || o1 || o2
                magnitude = s
                pos += 1
            }
        } else {
            throw fail("invalid number", at: start)
        }
        var isInteger = true
        var hasExponent = false
        if current == UInt8(ascii: ".") {
            isInteger = false
            pos += 1
            guard try skipDigits() else { throw fail("expected digits after '.'", at: start) }
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            isInteger = false
            hasExponent = true
            pos += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { pos += 1 }
            guard try skipDigits() else { throw fail("expected digits in exponent", at: start) }
        }
        var integer: Int64?
        if isInteger && !overflow {
            if negative {
                if magnitude <= UInt64(Int64.max) + 1 { integer = magnitude == UInt64(Int64.max) + 1 ? .min : -Int64(magnitude) }
            } else if magnitude <= UInt64(Int64.max) {
                integer = Int64(magnitude)
            }
        }
        return NumberToken(start: start, end: pos, integer: integer, mayOverflow: hasExponent || pos - digitsStart > 300)
    }

    /// Whether all eight bytes of `w` are ASCII digits: each byte's high nibble is 3, and
    /// adding 6 does not carry into it (so the low nibble is at most 9).
    @inline(__always)
    static func isEightDigits(_ w: UInt64) -> Bool {
        let highNibbles: UInt64 = 0xF0F0_F0F0_F0F0_F0F0
        let threes: UInt64 = 0x3030_3030_3030_3030
        return w & highNibbles == threes && (w &+ 0x0606_0606_0606_0606) & highNibbles == threes
    }

    /// The value of eight ASCII digits loaded little-endian (the first digit in the low byte):
    /// pairs of digits, then pairs of pairs, combined by multiplies in the high half of a word.
    @inline(__always)
    static func eightDigitsValue(_ w: UInt64) -> UInt64 {
        var v = w &- 0x3030_3030_3030_3030
        v = v &* 10 &+ (v >> 8)  // byte 2k: digits 2k, 2k+1 as a number below 100
        let pairs = (v & 0x0000_00FF_0000_00FF) &* (100 &+ (1_000_000 << 32))
        let others = ((v >> 16) & 0x0000_00FF_0000_00FF) &* (1 &+ (10_000 << 32))
        return (pairs &+ others) >> 32
    }

    private mutating func skipDigits() throws(JSONSyntaxError) -> Bool {
        let start = pos
        while pos < end, base[pos] &- 48 < 10 { pos += 1 }
        return pos > start
    }

    /// Consumes `true`, `false` or `null` starting at `pos`.
    mutating func scanLiteral(_ literal: StaticString) throws(JSONSyntaxError) {
        let n = literal.utf8CodeUnitCount
        guard pos + n <= end, memcmp(base + pos, literal.utf8Start, n) == 0 else {
            throw fail("invalid literal")
        }
        pos += n
    }

    /// The value of a number token as a `Double` (for integral checks of non-integer literals).
    func doubleValue(_ token: NumberToken) -> Double {
        Double(String(decoding: UnsafeBufferPointer(start: base + token.start, count: token.end - token.start), as: UTF8.self)) ?? .nan
    }

    // MARK: Skipping

    /// Validates and skips one value of any depth without recursion; returns the deepest
    /// nesting seen (1 for an empty array or object, 0 for a scalar).
    mutating func skipValue() throws(JSONSyntaxError) -> Int {
        skipWhitespace()
        // A bit stack of open containers: 1 = object, 0 = array. Hostile input can nest as
        // deep as the message is long, so it grows on the heap rather than the call stack.
        var stack: [UInt64] = []
        var depth = 0
        var maxDepth = 0
        func push(_ isObject: Bool) {
            if depth / 64 == stack.count { stack.append(0) }
            if isObject { stack[depth / 64] |= 1 << UInt64(depth % 64) } else { stack[depth / 64] &= ~(1 << UInt64(depth % 64)) }
            depth += 1
            maxDepth = max(maxDepth, depth)
        }
        func topIsObject() -> Bool { stack[(depth - 1) / 64] & (1 << UInt64((depth - 1) % 64)) != 0 }

        while true {
            // Expect a value.
            skipWhitespace()
            switch current {
            case UInt8(ascii: "{"):
                pos += 1
                push(true)
                skipWhitespace()
                if current == UInt8(ascii: "}") {
                    pos += 1
                    depth -= 1
                } else {
                    guard current == UInt8(ascii: "\"") else { throw unexpected(expected: "a key") }
                    _ = try scanString()
                    try expect(UInt8(ascii: ":"), "':'")
                    continue
                }
            case UInt8(ascii: "["):
                pos += 1
                push(false)
                skipWhitespace()
                if current == UInt8(ascii: "]") {
                    pos += 1
                    depth -= 1
                } else {
                    continue
                }
            case UInt8(ascii: "\""): _ = try scanString()
            case UInt8(ascii: "t"): try scanLiteral("true")
            case UInt8(ascii: "f"): try scanLiteral("false")
            case UInt8(ascii: "n"): try scanLiteral("null")
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): _ = try scanNumber()
            default: throw unexpected(expected: "a value")
            }
            // After a value: close containers or move to the next element.
            while depth > 0 {
                skipWhitespace()
                let isObject = topIsObject()
                if current == UInt8(ascii: ",") {
                    pos += 1
                    if isObject {
                        skipWhitespace()
                        guard current == UInt8(ascii: "\"") else { throw unexpected(expected: "a key") }
                        _ = try scanString()
                        try expect(UInt8(ascii: ":"), "':'")
                    }
                    break
                } else if current == (isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) {
                    pos += 1
                    depth -= 1
                } else {
                    throw unexpected(expected: isObject ? "',' or '}'" : "',' or ']'")
                }
            }
            if depth == 0 { return maxDepth }
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
