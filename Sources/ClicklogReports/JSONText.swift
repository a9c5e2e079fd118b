import ClicklogEvents

/// Appends JSON text to byte buffers without building `String`s: the export hot path.
enum JSONText {
    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    /// Appends `bytes` (UTF-8) as a JSON string literal, quotes included.
    @inline(__always)
    static func appendString(_ bytes: UnsafeRawBufferPointer, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var runStart = 0
        for i in 0..<bytes.count {
            let b = bytes[i]
            guard b < 0x20 || b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") else { continue }
            if runStart < i { out.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[runStart..<i])) }
            runStart = i + 1
            out.append(UInt8(ascii: "\\"))
            switch b {
            case UInt8(ascii: "\""): out.append(UInt8(ascii: "\""))
            case UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\"))
            case 0x0A: out.append(UInt8(ascii: "n"))
            case 0x0D: out.append(UInt8(ascii: "r"))
            case 0x09: out.append(UInt8(ascii: "t"))
            default:
                out.append(contentsOf: [UInt8(ascii: "u"), 0x30, 0x30, hex[Int(b >> 4)], hex[Int(b & 15)]])
            }
        }
        if runStart < bytes.count { out.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[runStart...])) }
        out.append(UInt8(ascii: "\""))
    }

    static func appendString(_ text: String, to out: inout [UInt8]) {
        var text = text
        text.withUTF8 { appendString(UnsafeRawBufferPointer($0), to: &out) }
    }

    @inline(__always)
    static func appendInteger(_ value: Int64, to out: inout [UInt8]) {
        if value == 0 { out.append(UInt8(ascii: "0")); return }
        var magnitude = value.magnitude
        if value < 0 { out.append(UInt8(ascii: "-")) }
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // room for 20 digits
        let count = withUnsafeMutableBytes(of: &digits) { raw -> Int in
            var n = 0
            while magnitude > 0 {
                raw[n] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
                n += 1
            }
            return n
        }
        withUnsafeBytes(of: &digits) { raw in
            for i in stride(from: count - 1, through: 0, by: -1) { out.append(raw[i]) }
        }
    }

    /// Appends the props of `row` as one flat JSON object whose keys are the stored dotted keys
    /// (`{"cart.total":12.5,"plan":"pro"}`), values typed by their `PropKind`. The parser
    /// flattens nested objects to the same keys, so the object reads back to the same props.
    static func appendProps(of row: Int, in batch: EventBatch, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "{"))
        var first = true
        for p in batch.propRange(of: row) {
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            batch.propKeys.withBytes(at: p) { appendString($0, to: &out) }
            out.append(UInt8(ascii: ":"))
            switch PropKind(rawValue: batch.propKinds[p]) ?? .string {
            case .string: batch.propValues.withBytes(at: p) { appendString($0, to: &out) }
            case .number, .array: batch.propValues.withBytes(at: p) { out.append(contentsOf: $0) }
            case .true: out.append(contentsOf: "true".utf8)
            case .false: out.append(contentsOf: "false".utf8)
            case .null: out.append(contentsOf: "null".utf8)
            }
        }
        out.append(UInt8(ascii: "}"))
    }
}
