import NIOCore
import NIOWebSocket

/// The server side of one WebSocket connection after the upgrade (RFC 6455): assembles
/// messages from frames, enforces the limits and the rules NIOWebSocket leaves to its user
/// (UTF-8 of text messages across continuation frames, reserved bits and opcodes, masking,
/// close codes), runs the close handshake and the idle ping. It does no I/O: every input
/// returns an action for the channel handler to carry out, so it is tested without sockets.
///
/// The assembled message lives in `message`, unmasked (and inflated, for a compressed message
/// of a connection that negotiated permessage-deflate), until `messageConsumed()`; the buffers
/// keep their capacity, so steady-state traffic allocates nothing here.
struct WebSocketStateMachine {
    struct Configuration: Sendable {
        /// Largest message (all frames together), in bytes: larger closes with 1009.
        var maxMessageBytes: Int
        /// Binary messages are delivered (echo mode); otherwise they close with 1003.
        var acceptsBinary = false
        /// A text message that arrives in one frame is delivered as `.uncheckedText`, its UTF-8
        /// left to the consumer: the ingest handler's JSON parser validates every byte anyway
        /// (outside strings only ASCII is valid JSON), and checking first cost 2% of the
        /// server's CPU. Fragmented messages are still checked frame by frame, so that a bad
        /// sequence fails the connection as soon as it arrives.
        var leavesWholeFrameUTF8ToConsumer = false
    }

    enum MessageKind: Equatable {
        case text, binary
        /// Text not checked for UTF-8 (`leavesWholeFrameUTF8ToConsumer`): the consumer must
        /// fail the connection with 1007 if it is not valid.
        case uncheckedText
    }

    enum Action: Equatable {
        case none
        /// A whole message is in `message`: handle it, then call `messageConsumed()`.
        case deliver(MessageKind)
        /// Answer a ping with this payload.
        case sendPong(ByteBuffer)
        /// Fail the connection: send a close frame with the error's code and close the socket.
        case fail(IngestError)
        /// The peer started the close handshake: reply with a close frame of this code, then
        /// close the socket.
        case replyToClose(code: UInt16)
        /// The peer answered our close frame: close the socket.
        case closeSocket
    }

    enum IdleAction: Equatable {
        case none
        case sendPing
        case fail(IngestError)
    }

    private enum State: Equatable {
        case open
        /// We sent a close frame and wait for the peer's.
        case closeSent
        case closed
    }

    let configuration: Configuration
    private var state = State.open
    /// The message being assembled (or just completed), unmasked.
    private(set) var message: ByteBuffer
    private var messageKind: MessageKind?
    private var utf8 = UTF8Validator()
    private var awaitingPong = false
    /// Set when the connection negotiated permessage-deflate (`PerMessageDeflate`).
    private let inflater: MessageInflater?
    /// Whether the message being assembled is compressed (RSV1 on its first frame); its frames
    /// gather in `compressed` and inflate into `message` when it is whole.
    private var isCompressed = false
    private var compressed: ByteBuffer
    /// Whether the message delivered last arrived compressed (for `/metrics`).
    private(set) var deliveredCompressed = false

    init(configuration: Configuration, inflater: MessageInflater? = nil, allocator: ByteBufferAllocator = ByteBufferAllocator()) {
        self.configuration = configuration
        self.inflater = inflater
        message = allocator.buffer(capacity: 1024)
        compressed = allocator.buffer(capacity: inflater == nil ? 0 : 1024)
    }

    var isOpen: Bool { state == .open }

    /// Handles one frame from the peer.
    mutating func receive(_ frame: WebSocketFrame) -> Action {
        awaitingPong = false
        switch state {
        case .closed:
            return .none
        case .closeSent:
            // After our close frame only the peer's close matters (RFC 6455 §5.5.1).
            if frame.opcode == .connectionClose {
                state = .closed
                return .closeSocket
            }
            return .none
        case .open:
            break
        }
        var reserved = frame.reservedBits
        // RSV1 marks the first frame of a compressed message, and nothing else (RFC 7692 §6).
        let startsCompressed = inflater != nil && reserved.contains(.rsv1) && (frame.opcode == .text || frame.opcode == .binary)
        if startsCompressed { reserved.remove(.rsv1) }
        guard reserved.isEmpty else { return fail(.protocolViolation("reserved bits set that no negotiated extension defines")) }
        guard let key = frame.maskKey else { return fail(.protocolViolation("client frames must be masked")) }
        switch frame.opcode {
        case .text, .binary:
            guard messageKind == nil else {
                return fail(.protocolViolation("a new message started before the previous one was finished"))
            }
            let kind: MessageKind = frame.opcode == .text ? .text : .binary
            if kind == .binary && !configuration.acceptsBinary { return fail(.binaryFrame) }
            // A compressed message is checked whole once inflated, so it counts as one frame.
            let whole = frame.fin || startsCompressed
            messageKind = kind == .text && whole && configuration.leavesWholeFrameUTF8ToConsumer ? .uncheckedText : kind
            message.clear()
            utf8.reset()
            isCompressed = startsCompressed
            compressed.clear()
            return appendFragment(frame, key: key)
        case .continuation:
            guard messageKind != nil else { return fail(.protocolViolation("continuation frame without a message to continue")) }
            return appendFragment(frame, key: key)
        case .ping:
            var payload = frame.data
            payload.webSocketUnmask(key)
            return .sendPong(payload)
        case .pong:
            return .none
        case .connectionClose:
            return receiveClose(frame, key: key)
        default:
            return fail(.protocolViolation("reserved opcode \(frame.opcode)"))
        }
    }

    /// The handler has taken the delivered message; the buffer is reused for the next one.
    mutating func messageConsumed() {
        message.clear()
    }

    /// The frame decoder refused the byte stream (a frame too long, a fragmented or long
    /// control frame).
    mutating func decoderFailed(_ error: NIOWebSocketError) -> Action {
        switch error {
        case .invalidFrameLength: fail(.messageTooLarge(limit: configuration.maxMessageBytes))
        case .fragmentedControlFrame: fail(.protocolViolation("fragmented control frame"))
        case .multiByteControlFrameLength: fail(.protocolViolation("control frame longer than 125 bytes"))
        }
    }

    /// Starts the close handshake from our side (shutdown): returns whether to send a close
    /// frame with `error.closeCode`; the socket closes when the peer answers (or on a timeout).
    mutating func startClose() -> Bool {
        guard state == .open else { return false }
        state = .closeSent
        return true
    }

    /// The connection read nothing for an idle period: ping first, give up the second time.
    mutating func idle(timeoutSeconds: Int64) -> IdleAction {
        guard state == .open else { return .none }
        if awaitingPong {
            state = .closed
            return .fail(.idleTimeout(seconds: timeoutSeconds))
        }
        awaitingPong = true
        return .sendPing
    }

    // MARK: Internals

    private mutating func fail(_ error: IngestError) -> Action {
        state = .closed
        messageKind = nil
        message.clear()
        compressed.clear()
        return .fail(error)
    }

    private mutating func appendFragment(_ frame: WebSocketFrame, key: WebSocketMaskingKey) -> Action {
        if isCompressed { return appendCompressedFragment(frame, key: key) }
        guard message.readableBytes + frame.length <= configuration.maxMessageBytes else {
            return fail(.messageTooLarge(limit: configuration.maxMessageBytes))
        }
        let start = message.writerIndex
        message.appendUnmasking(frame.data, key: key)
        if messageKind == .text {
            let valid = message.withUnsafeReadableBytes { all in
                utf8.feed(UnsafeRawBufferPointer(rebasing: all[(start - message.readerIndex)...]))
            }
            guard valid else { return fail(.invalidUTF8) }
        }
        guard frame.fin else { return .none }
        let kind = messageKind!
        messageKind = nil
        if kind == .text && !utf8.isAtBoundary { return fail(.invalidUTF8) }
        deliveredCompressed = false
        return .deliver(kind)
    }

    /// A frame of a compressed message: the limit holds for the compressed bytes as they come
    /// and for the inflated message.
    private mutating func appendCompressedFragment(_ frame: WebSocketFrame, key: WebSocketMaskingKey) -> Action {
        guard compressed.readableBytes + frame.length <= configuration.maxMessageBytes else {
            return fail(.messageTooLarge(limit: configuration.maxMessageBytes))
        }
        compressed.appendUnmasking(frame.data, key: key)
        guard frame.fin else { return .none }
        switch inflater!.inflate(compressed, into: &message, limit: configuration.maxMessageBytes) {
        case .tooLarge?: return fail(.messageTooLarge(limit: configuration.maxMessageBytes))
        case .corrupt(let reason)?: return fail(.invalidCompressedData(reason))
        case nil: break
        }
        compressed.clear()
        isCompressed = false
        let kind = messageKind!
        messageKind = nil
        if kind == .text {
            let valid = message.withUnsafeReadableBytes { UTF8Validator.isValid($0) }
            guard valid else { return fail(.invalidUTF8) }
        }
        deliveredCompressed = true
        return .deliver(kind)
    }

    private mutating func receiveClose(_ frame: WebSocketFrame, key: WebSocketMaskingKey) -> Action {
        var payload = frame.data
        payload.webSocketUnmask(key)
        switch payload.readableBytes {
        case 0:
            state = .closed
            return .replyToClose(code: 1000)
        case 1:
            return fail(.protocolViolation("close frame with a one-byte payload"))
        default:
            let code = payload.readInteger(as: UInt16.self)!
            guard WebSocketStateMachine.isValidReceivedCloseCode(code) else {
                return fail(.protocolViolation("invalid close code \(code)"))
            }
            let reasonValid = payload.withUnsafeReadableBytes { UTF8Validator.isValid($0) }
            guard reasonValid else { return fail(.invalidUTF8) }
            state = .closed
            return .replyToClose(code: code)
        }
    }

    /// Close codes a peer may send (RFC 6455 §7.4): the defined ones that may appear on the
    /// wire, and the ranges for libraries (3000–3999) and applications (4000–4999).
    static func isValidReceivedCloseCode(_ code: UInt16) -> Bool {
        switch code {
        case 1000...1003, 1007...1011, 3000...4999: true
        default: false
        }
    }
}

extension ByteBuffer {
    /// Appends `data` XOR-ed with the masking key (RFC 6455 §5.3), the key starting at the
    /// first byte of `data`.
    mutating func appendUnmasking(_ data: ByteBuffer, key: WebSocketMaskingKey) {
        let count = data.readableBytes
        guard count > 0 else { return }
        let keyWord = key.withContiguousStorageIfAvailable { k in
            UnsafeRawBufferPointer(k).loadUnaligned(as: UInt32.self)
        }!
        let wide = UInt64(keyWord) | UInt64(keyWord) << 32
        writeWithUnsafeMutableBytes(minimumWritableBytes: count) { out in
            data.withUnsafeReadableBytes { input in
                var i = 0
                while i + 8 <= count {
                    out.storeBytes(of: input.loadUnaligned(fromByteOffset: i, as: UInt64.self) ^ wide, toByteOffset: i, as: UInt64.self)
                    i += 8
                }
                while i < count {
                    out[i] = input[i] ^ key[i & 3]
                    i += 1
                }
            }
            return count
        }
    }
}
