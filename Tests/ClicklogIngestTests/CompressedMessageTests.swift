import ClicklogTestSupport
import NIOCore
import NIOWebSocket
import Testing
@testable import ClicklogIngest

/// Messages of a connection that negotiated permessage-deflate: RSV1 on the first frame marks
/// a compressed message, which is inflated whole and held to the same limits as any other.
@Suite struct CompressedMessageTests {
    let key = WebSocketMaskingKey([0x0A, 0x0B, 0x0C, 0x0D])!

    func machine(limit: Int = 10_000, binary: Bool = false, deflate: Bool = true, validatingConsumer: Bool = false) -> WebSocketStateMachine {
        WebSocketStateMachine(
            configuration: .init(maxMessageBytes: limit, acceptsBinary: binary, leavesWholeFrameUTF8ToConsumer: validatingConsumer),
            inflater: deflate ? MessageInflater() : nil)
    }

    func frame(_ opcode: WebSocketOpcode, _ payload: [UInt8], fin: Bool = true, rsv1: Bool = false) -> WebSocketFrame {
        var data = ByteBuffer(bytes: payload)
        data.webSocketMask(key)
        return WebSocketFrame(fin: fin, rsv1: rsv1, opcode: opcode, maskKey: key, data: data)
    }

    let batch = #"{"seq":1,"events":[{"event":"page_view","ts":1767225603460,"anonymous_id":"a"},{"event":"page_view","ts":1767225603461,"anonymous_id":"a"}]}"#

    @Test func aCompressedTextMessageIsDeliveredInflated() {
        var m = machine()
        let compressed = deflateMessage(Array(batch.utf8))
        #expect(compressed.count < batch.utf8.count)
        #expect(m.receive(frame(.text, compressed, rsv1: true)) == .deliver(.text))
        #expect(String(buffer: m.message) == batch)
        #expect(m.deliveredCompressed)
        m.messageConsumed()
        #expect(m.receive(frame(.text, Array("plain".utf8))) == .deliver(.text))
        #expect(!m.deliveredCompressed)
    }

    @Test func aCompressedMessageMayBeSplitAcrossFramesAndOnlyTheFirstCarriesRSV1() {
        var m = machine()
        let compressed = deflateMessage(Array(batch.utf8))
        let cut = compressed.count / 2
        #expect(m.receive(frame(.text, Array(compressed[..<cut]), fin: false, rsv1: true)) == .none)
        #expect(m.receive(frame(.continuation, Array(compressed[cut...]))) == .deliver(.text))
        #expect(String(buffer: m.message) == batch)
    }

    @Test func messagesDoNotShareContextAndUncompressedOnesStillPass() {
        var m = machine()
        for round in 0..<3 {
            let text = batch + String(repeating: " ", count: round)
            #expect(m.receive(frame(.text, deflateMessage(Array(text.utf8)), rsv1: true)) == .deliver(.text))
            #expect(String(buffer: m.message) == text)
            m.messageConsumed()
            #expect(m.receive(frame(.text, Array("plain".utf8))) == .deliver(.text))
            #expect(String(buffer: m.message) == "plain")
            m.messageConsumed()
        }
    }

    @Test func oneInflaterServesInterleavedConnections() {
        let shared = MessageInflater()
        let configuration = WebSocketStateMachine.Configuration(maxMessageBytes: 10_000)
        var a = WebSocketStateMachine(configuration: configuration, inflater: shared)
        var b = WebSocketStateMachine(configuration: configuration, inflater: shared)
        let compressed = deflateMessage(Array(batch.utf8))
        #expect(a.receive(frame(.text, Array(compressed.prefix(10)), fin: false, rsv1: true)) == .none)
        #expect(b.receive(frame(.text, deflateMessage(Array("other".utf8)), rsv1: true)) == .deliver(.text))
        #expect(a.receive(frame(.continuation, Array(compressed.dropFirst(10)))) == .deliver(.text))
        #expect(String(buffer: a.message) == batch)
        #expect(String(buffer: b.message) == "other")
    }

    @Test func aMessageThatInflatesPastTheLimitClosesWith1009() {
        var m = machine(limit: 1000)
        let bomb = deflateMessage([UInt8](repeating: 0x20, count: 1 << 20))
        #expect(bomb.count < 2000)
        #expect(m.receive(frame(.text, bomb, rsv1: true)) == .fail(.messageTooLarge(limit: 1000)))
    }

    @Test func corruptDataClosesWith1007() {
        var m = machine()
        // Block type 3 is reserved in DEFLATE.
        guard case .fail(let error) = m.receive(frame(.text, [0xFF, 0xFF, 0xFF], rsv1: true)) else {
            Issue.record("corrupt data was not refused")
            return
        }
        #expect(error.code == .invalidCompressedData)
        #expect(error.closeCode == 1007)
    }

    @Test func invalidUTF8InsideACompressedTextClosesWith1007() {
        var m = machine()
        #expect(m.receive(frame(.text, deflateMessage([0x61, 0xC3, 0x28]), rsv1: true)) == .fail(.invalidUTF8))
        // A validating consumer gets it unchecked, as any whole message.
        var parsing = machine(validatingConsumer: true)
        #expect(parsing.receive(frame(.text, deflateMessage([0x61, 0xC3, 0x28]), rsv1: true)) == .deliver(.uncheckedText))
    }

    @Test func rsv1IsAProtocolViolationWithoutTheExtensionOrOutsideAMessageStart() {
        var plain = machine(deflate: false)
        #expect(plain.receive(frame(.text, deflateMessage(Array("x".utf8)), rsv1: true)).isProtocolViolation)
        var continuation = machine()
        #expect(continuation.receive(frame(.text, Array("a".utf8), fin: false)) == .none)
        #expect(continuation.receive(frame(.continuation, Array("b".utf8), rsv1: true)).isProtocolViolation)
        var control = machine()
        #expect(control.receive(frame(.ping, [1], rsv1: true)).isProtocolViolation)
    }

    /// Random bytes, and valid data cut short or with a flipped bit, as a client could send:
    /// each ends in a message or a clean failure, never a trap or a message over the limit.
    @Test func arbitraryCompressedBytesEndInAMessageOrACleanFailure() {
        var random = SeededRandom(seed: 7)
        let valid = deflateMessage(Array(String(repeating: batch, count: 4).utf8))
        let inflater = MessageInflater()
        for round in 0..<600 {
            var payload: [UInt8]
            switch round % 3 {
            case 0: payload = (0..<random.below(300)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            case 1: payload = Array(valid.prefix(random.below(valid.count)))
            default:
                payload = valid
                let bit = random.below(valid.count * 8)
                payload[bit / 8] ^= 1 << UInt8(bit % 8)
            }
            var m = WebSocketStateMachine(configuration: .init(maxMessageBytes: 2000, acceptsBinary: true), inflater: inflater)
            switch m.receive(frame(.binary, payload, rsv1: true)) {
            case .deliver: #expect(m.message.readableBytes <= 2000)
            case .fail(let error): #expect([.invalidCompressedData, .messageTooLarge].contains(error.code))
            default: Issue.record("round \(round): neither a message nor a failure")
            }
        }
    }

    @Test func compressedBinaryIsEchoedInflated() {
        var echo = machine(binary: true)
        let payload: [UInt8] = (0..<300).map { UInt8($0 % 7) }
        #expect(echo.receive(frame(.binary, deflateMessage(payload), rsv1: true)) == .deliver(.binary))
        #expect(Array(echo.message.readableBytesView) == payload)
    }
}

extension WebSocketStateMachine.Action {
    var isProtocolViolation: Bool {
        if case .fail(let error) = self { return error.code == .protocolViolation }
        return false
    }
}

