import NIOCore
import NIOWebSocket

/// `/v1/echo` (only with `--test-echo`): sends every message back as it came, text or binary,
/// through the same `WebSocketStateMachine` and frame writer as `/v1/ws`. It exists so the
/// Autobahn fuzzing client can check the server's framing, UTF-8 validation and close handshake.
final class WebSocketEchoHandler: ChannelInboundHandler {
    typealias InboundIn = WebSocketFrame

    /// Autobahn's largest messages (case 9.x) are 16 MiB.
    static let maxMessageBytes = 64 << 20

    private let writer: RawFrameWriter
    private var machine: WebSocketStateMachine

    init(writer: RawFrameWriter, inflater: MessageInflater?) {
        self.writer = writer
        machine = WebSocketStateMachine(configuration: .init(maxMessageBytes: Self.maxMessageBytes, acceptsBinary: true), inflater: inflater)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let allocator = context.channel.allocator
        switch machine.receive(unwrapInboundIn(data)) {
        case .none:
            break
        case .deliver(let kind):
            let message = machine.message
            machine.messageConsumed()
            _ = writer.writeFrame(kind == .binary ? .binary : .text, payload: message)
        case .sendPong(let payload):
            _ = writer.write(WebSocketFrames.pong(payload, allocator: allocator))
        case .fail(let error):
            writer.closeAfter(WebSocketFrames.close(code: error.closeCode, reason: error.description, allocator: allocator))
        case .replyToClose(let code):
            writer.closeAfter(WebSocketFrames.close(code: code, reason: "", allocator: allocator))
        case .closeSocket:
            context.close(promise: nil)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        if let error = error as? NIOWebSocketError, case .fail(let refusal) = machine.decoderFailed(error) {
            writer.closeAfter(WebSocketFrames.close(code: refusal.closeCode, reason: refusal.description, allocator: context.channel.allocator))
            return
        }
        context.close(promise: nil)
    }
}
