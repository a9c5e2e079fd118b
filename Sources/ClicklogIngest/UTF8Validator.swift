/// Checks that bytes are well-formed UTF-8, fed in pieces: a WebSocket text message may arrive
/// in many continuation frames, and a character may be split between two of them.
///
/// Follows the table of well-formed byte sequences of the Unicode Standard (§3.9, table 3-7):
/// no overlong forms, no surrogates (U+D800–DFFF), nothing above U+10FFFF. It fails at the
/// first byte that cannot continue a valid sequence, so a connection sending garbage is closed
/// as early as possible (RFC 6455 §8.1). ASCII runs are checked eight bytes at a time.
struct UTF8Validator: Sendable, Equatable {
    /// Continuation bytes the current character still needs.
    private var pending: UInt8 = 0
    /// The range the next continuation byte must be in (narrower than 80...BF right after
    /// E0, ED, F0 and F4).
    private var low: UInt8 = 0x80
    private var high: UInt8 = 0xBF

    init() {}

    /// Whether the bytes so far end on a character boundary (a message may end here).
    var isAtBoundary: Bool { pending == 0 }

    mutating func reset() {
        pending = 0
        low = 0x80
        high = 0xBF
    }

    /// Validates the next piece; returns `false` as soon as a byte is invalid (the validator is
    /// then in an unspecified state: `reset()` it before reuse).
    mutating func feed(_ bytes: UnsafeRawBufferPointer) -> Bool {
        let count = bytes.count
        var i = 0
        while i < count {
            if pending == 0 {
                // Skip ASCII eight bytes at a time.
                while i + 8 <= count
                    && bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self) & 0x8080_8080_8080_8080 == 0
                {
                    i += 8
                }
                guard i < count else { break }
                let byte = bytes[i]
                i += 1
                if byte < 0x80 { continue }
                switch byte {
                case 0xC2...0xDF: (pending, low, high) = (1, 0x80, 0xBF)
                case 0xE0: (pending, low, high) = (2, 0xA0, 0xBF)
                case 0xE1...0xEC, 0xEE...0xEF: (pending, low, high) = (2, 0x80, 0xBF)
                case 0xED: (pending, low, high) = (2, 0x80, 0x9F)
                case 0xF0: (pending, low, high) = (3, 0x90, 0xBF)
                case 0xF1...0xF3: (pending, low, high) = (3, 0x80, 0xBF)
                case 0xF4: (pending, low, high) = (3, 0x80, 0x8F)
                default: return false
                }
            } else {
                let byte = bytes[i]
                i += 1
                guard byte >= low && byte <= high else { return false }
                pending -= 1
                (low, high) = (0x80, 0xBF)
            }
        }
        return true
    }

    /// Validates a whole piece of text at once.
    static func isValid(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var validator = UTF8Validator()
        return validator.feed(bytes) && validator.isAtBoundary
    }
}
