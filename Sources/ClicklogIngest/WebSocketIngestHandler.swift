import ClicklogEvents
import Logging
import NIOCore
import NIOWebSocket

/// One `/v1/ws` connection after the upgrade. Does the I/O only: frames go to the
/// `WebSocketStateMachine`, whole messages to the loop's shard (parse, hand to the writer),
/// acks come back through the shard once durable and leave in order (`AckQueue`).
///
/// It holds the socket's reads (`ReadGate`) while the writer is behind, while the client
/// does not read its acks (the channel is not writable), and during shutdown.
final class WebSocketIngestHandler: ChannelDuplexHandler, ShardMember {
    typealias InboundIn = WebSocketFrame
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let session: ConnectionSession
    private let writer: RawFrameWriter
    /// Reused for each ack's JSON before it is framed.
    private var scratch = ByteBuffer()
    private let shard: LoopShard
    private let metrics: IngestMetrics
    private let logger: Logger
    private let idleTimeoutSeconds: Int64
    private var machine: WebSocketStateMachine
    private var acks = AckQueue()
    private var gate = ReadGate()
    private var context: ChannelHandlerContext?
    private var shuttingDown = false
    var completionRound: UInt64 = 0

    /// How long we wait for the client's close frame after sending ours.
    static let closeReplyTimeout = TimeAmount.seconds(3)

    init(
        session: ConnectionSession, writer: RawFrameWriter, inflater: MessageInflater?, shard: LoopShard, limits: EventLimits,
        idleTimeoutSeconds: Int64, metrics: IngestMetrics, logger: Logger
    ) {
        self.session = session
        self.writer = writer
        self.shard = shard
        self.metrics = metrics
        self.logger = logger
        self.idleTimeoutSeconds = idleTimeoutSeconds
        machine = WebSocketStateMachine(
            configuration: .init(maxMessageBytes: limits.maxMessageBytes, leavesWholeFrameUTF8ToConsumer: true), inflater: inflater)
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        metrics.webSocketConnections.add(1, ordering: .relaxed)
        shard.state.register(self)
        if !context.channel.isWritable { hold(.clientNotReading) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        if gate.isHeld { metrics.pausedConnections.subtract(1, ordering: .relaxed) }
        shard.state.unregister(self)
        metrics.webSocketConnections.subtract(1, ordering: .relaxed)
        self.context = nil
    }

    // MARK: Inbound

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch machine.receive(frame) {
        case .none:
            break
        case .deliver(let kind):
            // Browsers send a few messages a minute: one shared count each is cheap.
            if machine.deliveredCompressed { metrics.compressedMessages.add(1) }
            handleMessage(utf8Checked: kind != .uncheckedText, context: context)
        case .sendPong(let payload):
            _ = writer.write(WebSocketFrames.pong(payload, allocator: context.channel.allocator))
        case .fail(let error):
            fail(error, context: context)
        case .replyToClose(let code):
            writer.closeAfter(WebSocketFrames.close(code: code, reason: "", allocator: context.channel.allocator))
        case .closeSocket:
            context.close(promise: nil)
        }
    }

    private func handleMessage(utf8Checked: Bool, context: ChannelHandlerContext) {
        let enrichment = session.enrichment(receivedAt: Clock.microseconds())
        let shardState = shard.state
        let outcome = machine.message.withUnsafeReadableBytes { bytes in
            shardState.ingest(bytes, enrichment: enrichment, transport: .webSocket, utf8Checked: utf8Checked, member: self) { outcome in
                let ack = Ack(outcome, queue: &acks)
                return acks.enqueue(ack)
            }
        }
        machine.messageConsumed()
        switch outcome {
        case .tooLarge:
            fail(.messageTooLarge(limit: machine.configuration.maxMessageBytes), context: context)
            return
        case .invalidUTF8:
            fail(.invalidUTF8, context: context)
            return
        case .parsed, .refused:
            break
        }
        if !shardState.mayRead && !gate.isHeld(for: .writerBehind) {
            hold(.writerBehind)
            shardState.waitForResume(self)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        if let error = error as? NIOWebSocketError {
            if case .fail(let refusal) = machine.decoderFailed(error) { fail(refusal, context: context) }
            return
        }
        logger.debug("connection error", metadata: ["error": "\(error)"])
        context.close(promise: nil)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard let idle = event as? IdleStateHandler.IdleStateEvent, idle == .read else {
            return context.fireUserInboundEventTriggered(event)
        }
        // A connection we stopped reading is not idle by its own doing.
        guard !gate.isHeld else { return }
        switch machine.idle(timeoutSeconds: idleTimeoutSeconds) {
        case .none: break
        case .sendPing: _ = writer.write(WebSocketFrames.ping(allocator: context.channel.allocator))
        case .fail(let error): fail(error, context: context)
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            release(.clientNotReading)
        } else {
            hold(.clientNotReading)
        }
        context.fireChannelWritabilityChanged()
    }

    // MARK: Outbound

    func read(context: ChannelHandlerContext) {
        if gate.read() { context.read() }
    }

    // MARK: ShardMember

    func messageDurable(ticket: Int, duplicates: Int) {
        acks.markDurable(ticket: ticket, duplicates: duplicates)
    }

    func sendReadyAcks() {
        guard let context else { return }
        // Every ready ack in one buffer: one write, one flush.
        var out: ByteBuffer?
        var sent = 0
        while let ack = acks.popReady() {
            if out == nil { out = context.channel.allocator.buffer(capacity: (acks.count + 1) * 72 + ack.estimatedBytes) }
            scratch.clear()
            ack.write(to: &scratch)
            WebSocketFrames.write(.text, payload: scratch, into: &out!)
            sent += 1
        }
        if let out {
            _ = writer.write(out)
            metrics.acksSent.add(sent)
        }
        if shuttingDown && acks.isEmpty { finishShutdown(context: context) }
    }

    func resumeReading() {
        release(.writerBehind)
    }

    func beginShutdown() {
        guard let context, !shuttingDown else { return }
        shuttingDown = true
        hold(.shutdown)
        if acks.isEmpty { finishShutdown(context: context) }
    }

    func forceClose() {
        context?.close(promise: nil)
    }

    // MARK: Internals

    private func hold(_ reason: ReadGate.Reason) {
        if !gate.isHeld { metrics.pausedConnections.add(1, ordering: .relaxed) }
        gate.hold(reason)
    }

    private func release(_ reason: ReadGate.Reason) {
        let wasHeld = gate.isHeld
        let readNow = gate.release(reason)
        if wasHeld && !gate.isHeld { metrics.pausedConnections.subtract(1, ordering: .relaxed) }
        if readNow { context?.read() }
    }

    /// Every ack is out: send the close frame (1001), read only the reply, close at the latest
    /// after `closeReplyTimeout`.
    private func finishShutdown(context: ChannelHandlerContext) {
        guard machine.startClose() else { return }
        let error = IngestError.shuttingDown
        _ = writer.write(WebSocketFrames.close(code: error.closeCode, reason: "server shutting down", allocator: context.channel.allocator))
        release(.shutdown)
        let channel = context.channel
        context.eventLoop.scheduleTask(in: Self.closeReplyTimeout) { channel.close(promise: nil) }
    }

    /// Fails the connection: close frame with the error's code, then close the socket.
    private func fail(_ error: IngestError, context: ChannelHandlerContext) {
        if let kind = error.limitKind { metrics.countLimitHit(kind) }
        logger.debug("closing WebSocket", metadata: ["code": "\(error.closeCode)", "reason": "\(error)", "site": "\(session.site)"])
        writer.closeAfter(WebSocketFrames.close(code: error.closeCode, reason: error.description, allocator: context.channel.allocator))
    }
}
