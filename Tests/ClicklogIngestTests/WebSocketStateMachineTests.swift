import NIOCore
import NIOWebSocket
import Testing
@testable import ClicklogIngest

/// The connection's protocol logic without sockets: frames in, actions out.
@Suite struct WebSocketStateMachineTests {
    let key = WebSocketMaskingKey([0x11, 0x22, 0x33, 0x44])!

    func machine(limit: Int = 1000, binary: Bool = false) -> WebSocketStateMachine {
        WebSocketStateMachine(configuration: .init(maxMessageBytes: limit, acceptsBinary: binary))
    }

    /// A client frame: `payload` masked with `key`.
    func frame(_ opcode: WebSocketOpcode, _ payload: [UInt8], fin: Bool = true, masked: Bool = true, rsv1: Bool = false) -> WebSocketFrame {
        var data = ByteBuffer(bytes: payload)
        if masked { data.webSocketMask(key) }
        return WebSocketFrame(fin: fin, rsv1: rsv1, opcode: opcode, maskKey: masked ? key : nil, data: data)
    }

    func text(_ string: String, fin: Bool = true) -> WebSocketFrame { frame(.text, Array(string.utf8), fin: fin) }

    @Test func deliversATextMessageUnmasked() {
        var m = machine()
        #expect(m.receive(text("{\"event\":\"x\"}")) == .deliver(.text))
        #expect(String(buffer: m.message) == "{\"event\":\"x\"}")
        m.messageConsumed()
        #expect(m.message.readableBytes == 0)
    }

    @Test func assemblesFragmentsIntoOneMessage() {
        var m = machine()
        #expect(m.receive(text("hello ", fin: false)) == .none)
        #expect(m.receive(frame(.ping, [1])) == .sendPong(ByteBuffer(bytes: [1])))  // control frames may interleave
        #expect(m.receive(frame(.continuation, Array("wide ".utf8), fin: false)) == .none)
        #expect(m.receive(frame(.continuation, Array("world".utf8))) == .deliver(.text))
        #expect(String(buffer: m.message) == "hello wide world")
    }

    @Test func binaryClosesWith1003UnlessEchoing() {
        var ingest = machine()
        #expect(ingest.receive(frame(.binary, [1, 2])) == .fail(.binaryFrame))
        #expect(IngestError.binaryFrame.closeCode == 1003)
        var echo = machine(binary: true)
        #expect(echo.receive(frame(.binary, [1, 2])) == .deliver(.binary))
    }

    @Test func invalidUTF8AcrossFragmentsFailsWith1007AtTheBadFragment() {
        var m = machine()
        #expect(m.receive(frame(.text, [0x61, 0xE2, 0x82], fin: false)) == .none)  // € cut after two bytes
        #expect(m.receive(frame(.continuation, [0xAC, 0xE2], fin: false)) == .none)  // completed, next one started
        #expect(m.receive(frame(.continuation, [0x41], fin: false)) == .fail(.invalidUTF8))
        #expect(IngestError.invalidUTF8.closeCode == 1007)
    }

    /// With a consumer that validates (the ingest handler's parser), a message in one frame is
    /// handed over unchecked; one in several frames is still checked as its frames arrive.
    @Test func wholeFrameTextIsLeftToAValidatingConsumer() {
        var m = WebSocketStateMachine(configuration: .init(maxMessageBytes: 1000, leavesWholeFrameUTF8ToConsumer: true))
        #expect(m.receive(frame(.text, [0x61, 0xF0, 0x9F])) == .deliver(.uncheckedText))
        m.messageConsumed()
        #expect(m.receive(frame(.text, [0x61, 0xE2, 0x82], fin: false)) == .none)
        #expect(m.receive(frame(.continuation, [0x41])) == .fail(.invalidUTF8))
    }

    @Test func messageEndingInsideACharacterFailsWith1007() {
        var m = machine()
        #expect(m.receive(frame(.text, [0x61, 0xF0, 0x9F])) == .fail(.invalidUTF8))
    }

    @Test func sizeLimitCountsEveryFragment() {
        var m = machine(limit: 10)
        #expect(m.receive(text("123456", fin: false)) == .none)
        #expect(m.receive(frame(.continuation, Array("12345".utf8))) == .fail(.messageTooLarge(limit: 10)))
        #expect(IngestError.messageTooLarge(limit: 10).closeCode == 1009)
    }

    @Test func protocolViolationsFailWith1002() {
        var continuation = machine()
        #expect(continuation.receive(frame(.continuation, [0x61])) == .fail(.protocolViolation("continuation frame without a message to continue")))
        var interleaved = machine()
        _ = interleaved.receive(text("a", fin: false))
        #expect(interleaved.receive(text("b")) == .fail(.protocolViolation("a new message started before the previous one was finished")))
        var reserved = machine()
        #expect(reserved.receive(frame(.text, [0x61], rsv1: true)) == .fail(.protocolViolation("reserved bits set that no negotiated extension defines")))
        var unmasked = machine()
        #expect(unmasked.receive(frame(.text, [0x61], masked: false)) == .fail(.protocolViolation("client frames must be masked")))
        var opcode = machine()
        if case .fail(let error) = opcode.receive(frame(WebSocketOpcode(encodedWebSocketOpcode: 0x3)!, [])) {
            #expect(error.code == .protocolViolation)
            #expect(error.closeCode == 1002)
        } else {
            Issue.record("a reserved opcode must fail the connection")
        }
    }

    @Test func decoderErrorsMapToCloseCodes() {
        var m = machine(limit: 64)
        #expect(m.decoderFailed(.invalidFrameLength) == .fail(.messageTooLarge(limit: 64)))
        #expect(m.decoderFailed(.fragmentedControlFrame) == .fail(.protocolViolation("fragmented control frame")))
        #expect(m.decoderFailed(.multiByteControlFrameLength) == .fail(.protocolViolation("control frame longer than 125 bytes")))
    }

    @Test func closeFromThePeerIsEchoedWithItsCode() {
        var m = machine()
        #expect(m.receive(frame(.connectionClose, [0x0F, 0xA0] + Array("bye".utf8))) == .replyToClose(code: 4000))
        #expect(m.receive(text("late")) == .none)  // after the close, nothing more is delivered
        var empty = machine()
        #expect(empty.receive(frame(.connectionClose, [])) == .replyToClose(code: 1000))
    }

    @Test func badCloseFramesFail() {
        var oneByte = machine()
        #expect(oneByte.receive(frame(.connectionClose, [0x03])) == .fail(.protocolViolation("close frame with a one-byte payload")))
        for code: UInt16 in [0, 999, 1004, 1005, 1006, 1015, 1016, 2000, 2999, 5000] {
            var m = machine()
            #expect(m.receive(frame(.connectionClose, [UInt8(code >> 8), UInt8(code & 0xFF)])) == .fail(.protocolViolation("invalid close code \(code)")))
        }
        var badReason = machine()
        #expect(badReason.receive(frame(.connectionClose, [0x03, 0xE8, 0xC3])) == .fail(.invalidUTF8))
    }

    @Test func ourCloseWaitsForThePeersClose() {
        var m = machine()
        let first = m.startClose()
        let second = m.startClose()
        #expect(first && !second)
        #expect(m.receive(text("in flight")) == .none)
        #expect(m.receive(frame(.connectionClose, [0x03, 0xE9])) == .closeSocket)
    }

    @Test func idleConnectionIsPingedOnceThenFailed() {
        var m = machine()
        #expect(m.idle(timeoutSeconds: 60) == .sendPing)
        #expect(m.receive(frame(.pong, Array("clicklog".utf8))) == .none)
        #expect(m.idle(timeoutSeconds: 60) == .sendPing)
        #expect(m.idle(timeoutSeconds: 60) == .fail(.idleTimeout(seconds: 60)))
        #expect(IngestError.idleTimeout(seconds: 60).closeCode == 1001)
    }

    @Test func unmaskingHandlesEveryAlignment() {
        for length in 0..<20 {
            let payload = (0..<length).map { UInt8($0 * 7 & 0xFF) }
            var m = machine()
            #expect(m.receive(frame(.text, payload.map { $0 & 0x7F })) == .deliver(.text))
            #expect(Array(m.message.readableBytesView) == payload.map { $0 & 0x7F })
        }
    }
}
