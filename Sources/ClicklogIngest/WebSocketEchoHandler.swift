import NIOCore
import NIOWebSocket

/// `/v1/echo` (only with `--test-echo`): sends every message back as it came, text or binary,
/// through the same `WebSocketStateMachine` as `/v1/ws`. It exists so the Autobahn fuzzing
/// client can check the server's framing, UTF-8 validation and close handshake.
final class WebSocketEchoHandler: ChannelInboundHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    /// Autobahn's largest messages (case 9.x) are 16 MiB.
    static let maxMessageBytes = 64 << 20

    private var machine = WebSocketStateMachine(configuration: .init(maxMessageBytes: maxMessageBytes, acceptsBinary: true))

    init() {}

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch machine.receive(unwrapInboundIn(data)) {
        case .none:
            break
        case .deliver(let kind):
            let frame = WebSocketFrame(fin: true, opcode: kind == .text ? .text : .binary, data: machine.message)
            machine.messageConsumed()
            context.writeAndFlush(wrapOutboundOut(frame), promise: nil)
        case .sendPong(let payload):
            context.writeAndFlush(wrapOutboundOut(WebSocketFrames.pong(payload)), promise: nil)
        case .fail(let error):
            let frame = WebSocketFrames.close(code: error.closeCode, reason: error.description, allocator: context.channel.allocator)
            context.writeAndFlush(wrapOutboundOut(frame)).assumeIsolated().whenComplete { _ in context.close(promise: nil) }
        case .replyToClose(let code):
            let frame = WebSocketFrames.close(code: code, reason: "", allocator: context.channel.allocator)
            context.writeAndFlush(wrapOutboundOut(frame)).assumeIsolated().whenComplete { _ in context.close(promise: nil) }
        case .closeSocket:
            context.close(promise: nil)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        if let error = error as? NIOWebSocketError, case .fail(let refusal) = machine.decoderFailed(error) {
            let frame = WebSocketFrames.close(code: refusal.closeCode, reason: refusal.description, allocator: context.channel.allocator)
            context.writeAndFlush(wrapOutboundOut(frame)).assumeIsolated().whenComplete { _ in context.close(promise: nil) }
            return
        }
        context.close(promise: nil)
    }
}
