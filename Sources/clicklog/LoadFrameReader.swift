import NIOCore

/// Reads the server's WebSocket frames (RFC 6455 §5.2) out of the bytes received so far, one at
/// a time, without copying or allocating: the payload is a slice of the input.
///
/// The load generator's own reader rather than NIO's `WebSocketFrameDecoder` behind a
/// `ByteToMessageHandler`, because at a few hundred thousand acks per second the per-frame
/// boxing and dynamic casts of that path cost the generator more than the acks themselves, and
/// the generator must not be the limit of what it measures. It accepts what a server may send:
/// unmasked frames (a masked one is read too, and unmasked), any opcode, payloads up to
/// `maxPayload` bytes.
struct LoadFrameReader {
    struct Frame {
        var fin: Bool
        /// The low four bits of the first byte: 0x0 continuation, 0x1 text, 0x2 binary,
        /// 0x8 close, 0x9 ping, 0xA pong.
        var opcode: UInt8
        var payload: ByteBuffer
    }

    enum Failure: Error, Equatable {
        case payloadTooLarge(Int)
    }

    let maxPayload: Int

    init(maxPayload: Int = 1 << 20) {
        self.maxPayload = maxPayload
    }

    /// The next complete frame, consuming its bytes; `nil` (consuming nothing) when `buffer`
    /// does not hold a whole frame yet.
    func next(from buffer: inout ByteBuffer) throws(Failure) -> Frame? {
        let start = buffer.readerIndex
        guard let first = buffer.getInteger(at: start, as: UInt8.self),
              let second = buffer.getInteger(at: start + 1, as: UInt8.self)
        else { return nil }
        var headerLength = 2
        var length = Int(second & 0x7F)
        if length == 126 {
            guard let extended = buffer.getInteger(at: start + 2, as: UInt16.self) else { return nil }
            length = Int(extended)
            headerLength += 2
        } else if length == 127 {
            guard let extended = buffer.getInteger(at: start + 2, as: UInt64.self) else { return nil }
            guard extended <= UInt64(maxPayload) else { throw .payloadTooLarge(Int(clamping: extended)) }
            length = Int(extended)
            headerLength += 8
        }
        guard length <= maxPayload else { throw .payloadTooLarge(length) }
        let masked = second & 0x80 != 0
        let maskStart = start + headerLength
        if masked { headerLength += 4 }
        guard buffer.readableBytes >= headerLength + length else { return nil }
        let key = masked ? buffer.getBytes(at: maskStart, length: 4) : nil
        buffer.moveReaderIndex(forwardBy: headerLength)
        var payload = buffer.readSlice(length: length)!
        if let key {
            payload = ByteBuffer(bytes: payload.readableBytesView.enumerated().map { $0.element ^ key[$0.offset & 3] })
        }
        return Frame(fin: first & 0x80 != 0, opcode: first & 0x0F, payload: payload)
    }
}
