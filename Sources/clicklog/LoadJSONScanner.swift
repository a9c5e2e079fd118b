/// The few JSON steps the load generator needs over bytes it did not build (acks) or does not
/// own (generated events): skip a value, read an integer. Forward-only, no allocation; it checks
/// structure only as far as skipping needs, it is no validator.
struct LoadJSONScanner {
    let bytes: UnsafeRawBufferPointer
    var i = 0

    init(bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    mutating func integer() -> Int64? {
        var negative = false
        if take(UInt8(ascii: "-")) { negative = true }
        var value: Int64 = 0
        var digits = 0
        while i < bytes.count, bytes[i] >= 0x30, bytes[i] <= 0x39 {
            let (times, o1) = value.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times.addingReportingOverflow(Int64(bytes[i] - 0x30))
            if o1 || o2 { return nil }
            value = sum
            digits += 1
            i += 1
        }
        guard digits > 0 else { return nil }
        // A fraction or exponent is not an integer.
        if i < bytes.count, bytes[i] == UInt8(ascii: ".") || bytes[i] | 0x20 == UInt8(ascii: "e") { return nil }
        return negative ? -value : value
    }

    /// Skips one JSON value of any kind, strings aware of escapes, containers by depth.
    mutating func skipValue() -> Bool {
        guard i < bytes.count else { return false }
        switch bytes[i] {
        case UInt8(ascii: "\""):
            return skipString()
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var depth = 0
            while i < bytes.count {
                switch bytes[i] {
                case UInt8(ascii: "\""):
                    guard skipString() else { return false }
                    continue
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    depth -= 1
                    if depth == 0 {
                        i += 1
                        return true
                    }
                default:
                    break
                }
                i += 1
            }
            return false
        default:
            // Number or literal: up to the next delimiter.
            let start = i
            while i < bytes.count {
                switch bytes[i] {
                case UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]"), 0x20, 0x09, 0x0A, 0x0D:
                    return i > start
                default:
                    i += 1
                }
            }
            return i > start
        }
    }

    mutating func skipString() -> Bool {
        guard take(UInt8(ascii: "\"")) else { return false }
        while i < bytes.count {
            switch bytes[i] {
            case UInt8(ascii: "\""):
                i += 1
                return true
            case UInt8(ascii: "\\"):
                i += 2
            default:
                i += 1
            }
        }
        return false
    }

    mutating func skipSpace() {
        while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09 {
            i += 1
        }
    }

    mutating func take(_ byte: UInt8) -> Bool {
        guard i < bytes.count, bytes[i] == byte else { return false }
        i += 1
        return true
    }

    /// Skips a string and returns its raw contents (escapes left as they are).
    mutating func stringContents() -> UnsafeRawBufferPointer? {
        let start = i
        guard skipString() else { return nil }
        return UnsafeRawBufferPointer(rebasing: bytes[(start + 1)..<(i - 1)])
    }

    /// Up to 200 bytes of `range` as text, for reports.
    func text(_ range: Range<Int>) -> String {
        let end = min(range.upperBound, range.lowerBound + 200)
        return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[range.lowerBound..<end]), as: UTF8.self)
    }
}
