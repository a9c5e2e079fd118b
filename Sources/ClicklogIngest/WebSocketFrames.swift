import NIOCore
import NIOWebSocket

/// The frames the server sends. Server frames are never masked (RFC 6455 §5.1).
enum WebSocketFrames {
    static func text(_ data: ByteBuffer) -> WebSocketFrame {
        WebSocketFrame(fin: true, opcode: .text, data: data)
    }

    /// A close frame: the code, then the reason cut to fit the 125-byte control payload at a
    /// character boundary.
    static func close(code: UInt16, reason: String, allocator: ByteBufferAllocator) -> WebSocketFrame {
        var data = allocator.buffer(capacity: 125)
        data.writeInteger(code)
        var utf8 = Array(reason.utf8.prefix(123))
        if utf8.count == 123 {
            // Do not cut a character in half: drop a last character that lost bytes.
            var lead = utf8.count - 1
            while lead > 0 && utf8[lead] & 0xC0 == 0x80 { lead -= 1 }
            let byte = utf8[lead]
            let length = byte < 0x80 ? 1 : byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : 2
            if utf8.count - lead < length { utf8.removeLast(utf8.count - lead) }
        }
        data.writeBytes(utf8)
        return WebSocketFrame(fin: true, opcode: .connectionClose, data: data)
    }

    static func ping(allocator: ByteBufferAllocator) -> WebSocketFrame {
        WebSocketFrame(fin: true, opcode: .ping, data: allocator.buffer(staticString: "clicklog"))
    }

    static func pong(_ payload: ByteBuffer) -> WebSocketFrame {
        WebSocketFrame(fin: true, opcode: .pong, data: payload)
    }
}
