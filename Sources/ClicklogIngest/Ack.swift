import NIOCore

/// The server's answer to one message (protocol.md, "Acks"), sent once every accepted event of
/// the message is durable:
///
///     {"ack": 7, "accepted": 47, "duplicates": 1, "rejected": [{"index": 3, "error": "ts: not a number or RFC 3339 time"}]}
///     {"ack": 8, "error": "expected a value at byte 0"}
///
/// `number` is the message's `seq`, or its 1-based ordinal on the connection when it has none.
struct Ack: Sendable, Equatable {
    struct Rejected: Sendable, Equatable {
        var index: Int
        var error: String
    }

    enum Outcome: Sendable, Equatable {
        case counts(accepted: Int, duplicates: Int, rejected: [Rejected])
        /// The message as a whole was refused (not JSON, not a message, too many events).
        case error(String)
    }

    var number: Int64
    var outcome: Outcome

    /// The writer found `count` of the accepted events to be already stored: move them from
    /// `accepted` to `duplicates`.
    mutating func reclassifyDuplicates(_ count: Int) {
        guard count > 0, case .counts(let accepted, let duplicates, let rejected) = outcome else { return }
        outcome = .counts(accepted: accepted - count, duplicates: duplicates + count, rejected: rejected)
    }

    var isError: Bool {
        if case .error = outcome { return true }
        return false
    }

    /// Writes the ack's JSON text, exactly in the spec's layout.
    func write(to buffer: inout ByteBuffer) {
        buffer.writeStaticString("{\"ack\": ")
        buffer.writeDecimal(number)
        switch outcome {
        case .counts(let accepted, let duplicates, let rejected):
            buffer.writeStaticString(", \"accepted\": ")
            buffer.writeDecimal(Int64(accepted))
            buffer.writeStaticString(", \"duplicates\": ")
            buffer.writeDecimal(Int64(duplicates))
            buffer.writeStaticString(", \"rejected\": [")
            for (i, r) in rejected.enumerated() {
                if i > 0 { buffer.writeStaticString(", ") }
                buffer.writeStaticString("{\"index\": ")
                buffer.writeDecimal(Int64(r.index))
                buffer.writeStaticString(", \"error\": ")
                buffer.writeJSONString(r.error)
                buffer.writeStaticString("}")
            }
            buffer.writeStaticString("]}")
        case .error(let message):
            buffer.writeStaticString(", \"error\": ")
            buffer.writeJSONString(message)
            buffer.writeStaticString("}")
        }
    }

    /// A rough size of the JSON text, to reserve capacity.
    var estimatedBytes: Int {
        switch outcome {
        case .counts(_, _, let rejected): 64 + rejected.reduce(0) { $0 + 32 + $1.error.utf8.count }
        case .error(let message): 32 + message.utf8.count * 2
        }
    }
}

extension ByteBuffer {
    /// Writes a decimal integer without going through `String`.
    mutating func writeDecimal(_ value: Int64) {
        if value < 0 { writeInteger(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes of scratch, enough for 20 digits
        let count = withUnsafeMutableBytes(of: &digits) { scratch -> Int in
            var n = 0
            repeat {
                scratch[23 - n] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
                n += 1
            } while magnitude > 0
            return n
        }
        withUnsafeBytes(of: &digits) { scratch in
            _ = writeBytes(UnsafeRawBufferPointer(rebasing: scratch[(24 - count)...]))
        }
    }

    /// Writes `value` as a JSON string literal: quotes, and escapes for `"`, `\` and control
    /// characters (RFC 8259 §7).
    mutating func writeJSONString(_ value: String) {
        writeInteger(UInt8(ascii: "\""))
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""): writeStaticString("\\\"")
            case UInt8(ascii: "\\"): writeStaticString("\\\\")
            case 0x0A: writeStaticString("\\n")
            case 0x0D: writeStaticString("\\r")
            case 0x09: writeStaticString("\\t")
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                writeStaticString("\\u00")
                writeInteger(hex[Int(byte >> 4)])
                writeInteger(hex[Int(byte & 0xF)])
            default: writeInteger(byte)
            }
        }
        writeInteger(UInt8(ascii: "\""))
    }
}
