import NIOCore

/// One message of the load generator, built before the clock starts as a complete, masked
/// WebSocket text frame, with the few bytes that change on every send at known offsets.
///
/// Sending a message only stamps its `seq`, `sent_at` and the last 12 hex digits of every event
/// `id` (masked in place), then hands the same buffer to the socket: no JSON is built and no
/// payload is copied or masked on the clock. The buffer is stamped again only once its previous
/// send was acked, so the socket has let go of it and the stamp does not copy on write.
///
/// Fixed widths keep the offsets stable: `seq` is written left-aligned in `seqWidth` bytes and
/// padded with spaces (`{"seq":42          ,` is valid JSON), `sent_at` always has 13 digits
/// (epoch ms until the year 2286), and ids are 36-character UUIDs whose last group counts.
struct LoadMessage {
    static let seqWidth = 12
    static let sentAtWidth = 13
    static let counterWidth = 12

    /// The whole frame: header, masking key, masked payload.
    private(set) var frame: ByteBuffer
    /// Where the payload starts in `frame`.
    let payloadStart: Int
    let payloadLength: Int
    let maskKey: (UInt8, UInt8, UInt8, UInt8)
    /// Payload offsets of the `seq` digits and the `sent_at` digits; `nil` for a bare event.
    let seqOffset: Int?
    let sentAtOffset: Int?
    /// Payload offset of each event's id counter (the last 12 hex digits of its UUID).
    let counterOffsets: [Int]

    var events: Int { counterOffsets.count }

    /// Builds the frame around `payload` with a fresh random masking key.
    init(payload: [UInt8], seqOffset: Int?, sentAtOffset: Int?, counterOffsets: [Int], allocator: ByteBufferAllocator) {
        let key = UInt32.random(in: .min ... .max)
        maskKey = (UInt8(truncatingIfNeeded: key >> 24), UInt8(truncatingIfNeeded: key >> 16),
                   UInt8(truncatingIfNeeded: key >> 8), UInt8(truncatingIfNeeded: key))
        self.seqOffset = seqOffset
        self.sentAtOffset = sentAtOffset
        self.counterOffsets = counterOffsets
        payloadLength = payload.count

        var frame = allocator.buffer(capacity: payload.count + 14)
        frame.writeInteger(UInt8(0x81))  // FIN, text
        if payload.count < 126 {
            frame.writeInteger(UInt8(0x80) | UInt8(payload.count))
        } else if payload.count <= Int(UInt16.max) {
            frame.writeInteger(UInt8(0x80 | 126))
            frame.writeInteger(UInt16(payload.count))
        } else {
            frame.writeInteger(UInt8(0x80 | 127))
            frame.writeInteger(UInt64(payload.count))
        }
        frame.writeInteger(key)
        payloadStart = frame.writerIndex
        let mask = [maskKey.0, maskKey.1, maskKey.2, maskKey.3]
        var masked = payload
        for index in masked.indices { masked[index] ^= mask[index & 3] }
        frame.writeBytes(masked)
        self.frame = frame
    }

    /// Writes this send's `seq`, `sent_at` and id counters (`firstCounter`, `firstCounter + 1`, …).
    mutating func stamp(seq: Int64, sentAt: Int64, firstCounter: UInt64) {
        let start = payloadStart
        let key = maskKey
        let seqOffset = seqOffset
        let sentAtOffset = sentAtOffset
        let counterOffsets = counterOffsets
        frame.withUnsafeMutableReadableBytes { bytes in
            @inline(__always) func put(_ byte: UInt8, at offset: Int) {
                let k: UInt8
                switch offset & 3 {
                case 0: k = key.0
                case 1: k = key.1
                case 2: k = key.2
                default: k = key.3
                }
                bytes[start + offset] = byte ^ k
            }
            if let seqOffset {
                var digits = 0
                var rest = UInt64(seq)
                repeat {
                    digits += 1
                    rest /= 10
                } while rest != 0
                rest = UInt64(seq)
                for index in 0..<Self.seqWidth {
                    put(0x20, at: seqOffset + index)
                }
                for index in stride(from: digits - 1, through: 0, by: -1) {
                    put(UInt8(truncatingIfNeeded: 0x30 &+ rest % 10), at: seqOffset + index)
                    rest /= 10
                }
            }
            if let sentAtOffset {
                var rest = UInt64(sentAt)
                for index in stride(from: Self.sentAtWidth - 1, through: 0, by: -1) {
                    put(UInt8(truncatingIfNeeded: 0x30 &+ rest % 10), at: sentAtOffset + index)
                    rest /= 10
                }
            }
            var counter = firstCounter
            for offset in counterOffsets {
                var rest = counter
                for index in stride(from: Self.counterWidth - 1, through: 0, by: -1) {
                    let nibble = UInt8(truncatingIfNeeded: rest & 0xF)
                    put(nibble < 10 ? 0x30 &+ nibble : 0x57 &+ nibble, at: offset + index)
                    rest >>= 4
                }
                counter &+= 1
            }
        }
    }

    /// The payload as sent, unmasked (for tests and `--dump`).
    func unmaskedPayload() -> [UInt8] {
        var payload = Array(frame.getBytes(at: payloadStart, length: payloadLength) ?? [])
        let mask = [maskKey.0, maskKey.1, maskKey.2, maskKey.3]
        for index in payload.indices { payload[index] ^= mask[index & 3] }
        return payload
    }
}
