import NIOCore
import NIOWebSocket

/// Sends frames the server encoded itself (`WebSocketFrames`), from a place in the pipeline
/// just before NIOWebSocket's `WebSocketFrameEncoder`, so they do not go through it.
///
///     [TLS] [idle] [RawFrameWriter] [WebSocketFrameEncoder] [frame decoder] [connection handler]
///
/// The upgrader always installs the encoder and it cannot be removed; the connection handler
/// (inbound, at the tail) holds this writer and sends through it. All on the channel's loop.
///
/// Why: the acks one commit releases for a connection are encoded into one buffer and leave
/// in one write and one flush; through the encoder each ack was two writes (header, payload).
final class RawFrameWriter: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private var context: ChannelHandlerContext?

    init() {}

    /// Inserts a writer just before the channel's `WebSocketFrameEncoder`.
    static func install(in pipeline: ChannelPipeline.SynchronousOperations) throws -> RawFrameWriter {
        let writer = RawFrameWriter()
        let encoder = try pipeline.handler(type: WebSocketFrameEncoder.self)
        try pipeline.addHandler(writer, position: .before(encoder))
        return writer
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    var allocator: ByteBufferAllocator { context?.channel.allocator ?? ByteBufferAllocator() }

    /// Writes encoded frames; `flush` sends them.
    func write(_ frames: ByteBuffer, flush: Bool = true) -> EventLoopFuture<Void>? {
        guard let context else { return nil }
        let future = context.write(wrapOutboundOut(frames))
        if flush { context.flush() }
        return future
    }

    /// Writes one frame; large payloads are written as they are, after a separate header.
    func writeFrame(_ opcode: WebSocketFrames.Opcode, payload: ByteBuffer) -> EventLoopFuture<Void>? {
        guard let context else { return nil }
        if payload.readableBytes <= 4096 {
            return write(WebSocketFrames.frame(opcode, payload: payload, allocator: context.channel.allocator))
        }
        var header = context.channel.allocator.buffer(capacity: 10)
        WebSocketFrames.writeHeader(opcode, length: payload.readableBytes, into: &header)
        context.write(wrapOutboundOut(header), promise: nil)
        return write(payload)
    }

    /// Sends a close frame, then closes the connection once it is written.
    func closeAfter(_ frame: ByteBuffer) {
        guard let context else { return }
        context.writeAndFlush(wrapOutboundOut(frame)).assumeIsolated().whenComplete { _ in
            context.close(promise: nil)
        }
    }
}
