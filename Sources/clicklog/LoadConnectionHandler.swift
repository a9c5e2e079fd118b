import Foundation
import NIOCore
import NIOWebSocket

/// What the run tells every connection, through the pipeline (so from any thread).
enum LoadControl: Sendable {
    /// Start sending on this timeline.
    case start(LoadConnectionState.Timeline)
    /// Give up waiting for acks: the drain timeout passed.
    case abort(String)
}

/// The I/O of one load connection after the upgrade: writes pre-built frames, reads the server's
/// frames (`LoadFrameReader`) and feeds both to its `LoadConnectionState`.
///
/// Nothing WebSocket-aware stays in the pipeline: outbound frames are complete, masked byte
/// buffers (`LoadMessage`), and inbound bytes are split into frames here, without a
/// `ByteToMessageHandler`, so that the generator spends its time on the socket.
final class LoadConnectionHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// Messages up to this size are copied into one buffer per flush; larger ones are written
    /// as they are (their copy would cost more than the extra write).
    static let coalesceLimit = 2048

    private var state: LoadConnectionState
    private var messages: [LoadMessage]
    /// Ids are `message index × idStride + event index`, so no two events share a counter.
    private let idStride: UInt64
    private let result: EventLoopPromise<LoadTally>
    private let reader: LoadFrameReader
    private var received: ByteBuffer?
    private var completed = false
    private var closeSent = false
    private var wakeUp: (task: Scheduled<Void>, at: UInt64)?
    /// A message split over continuation frames (servers rarely do this, but may).
    private var fragments: ByteBuffer?
    private var ackedSinceLastPump = false
    /// Control frames (pong, close) to go out with the next flush.
    private var control: ByteBuffer?

    init(
        state: LoadConnectionState, messages: [LoadMessage], idStride: Int, maxFrameSize: Int,
        result: EventLoopPromise<LoadTally>
    ) {
        precondition(messages.count >= state.window, "a message is reused only once its previous send was acked")
        self.state = state
        self.messages = messages
        self.idStride = UInt64(idStride)
        self.result = result
        reader = LoadFrameReader(maxPayload: maxFrameSize)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard let control = event as? LoadControl else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        switch control {
        case .start(let timeline):
            state.start(timeline)
            let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            context.eventLoop.scheduleTask(deadline: .uptimeNanoseconds(timeline.start)) {
                let (handler, context) = loopBound.value
                handler.pump(context: context)
            }
            context.eventLoop.scheduleTask(deadline: .uptimeNanoseconds(timeline.measureUntil)) {
                let (handler, context) = loopBound.value
                handler.state.stop()
                handler.finishIfDone(context: context)
            }
        case .abort(let reason):
            state.connectionClosed(reason: reason)
            finishIfDone(context: context)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        if received == nil {
            received = bytes
        } else {
            received!.writeBuffer(&bytes)
        }
        do {
            while let frame = try reader.next(from: &received!) {
                handle(frame, context: context)
            }
        } catch {
            state.mismatch("unreadable frame from the server: \(error)")
            state.connectionClosed(reason: "the server sent a frame the generator cannot read")
            context.close(promise: nil)
            complete()
            return
        }
        if received!.readableBytes == 0 {
            received = nil
        } else {
            received!.discardReadBytes()
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if ackedSinceLastPump {
            ackedSinceLastPump = false
            pump(context: context)
        }
        if let control {
            self.control = nil
            context.writeAndFlush(wrapOutboundOut(control), promise: nil)
        }
        finishIfDone(context: context)
        context.fireChannelReadComplete()
    }

    func channelInactive(context: ChannelHandlerContext) {
        state.connectionClosed(reason: "the connection closed")
        wakeUp?.task.cancel()
        complete()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        state.mismatch("connection error: \(error)")
        state.connectionClosed(reason: "the connection failed")
        context.close(promise: nil)
        complete()
    }

    // MARK: - Receiving

    private func handle(_ frame: LoadFrameReader.Frame, context: ChannelHandlerContext) {
        switch frame.opcode {
        case 0x1 where frame.fin && fragments == nil:
            receive(frame.payload)
        case 0x1, 0x0:
            var payload = frame.payload
            if fragments == nil {
                fragments = payload
            } else {
                fragments!.writeBuffer(&payload)
            }
            if frame.fin, let whole = fragments {
                fragments = nil
                receive(whole)
            }
        case 0x9:  // ping
            appendControl(opcode: 0x8A, payload: frame.payload, context: context)
        case 0xA:  // pong
            break
        case 0x8:  // close
            let code = frame.payload.getInteger(at: frame.payload.readerIndex, as: UInt16.self).map { " with code \($0)" } ?? ""
            state.connectionClosed(reason: "the server closed the connection\(code)")
            if !closeSent {
                closeSent = true
                appendControl(opcode: 0x88, payload: frame.payload, context: context)
            }
            if let control {
                self.control = nil
                context.writeAndFlush(wrapOutboundOut(control), promise: nil)
            }
            context.close(promise: nil)
            complete()
        default:
            state.mismatch("unexpected frame with opcode \(frame.opcode) from the server")
        }
    }

    private func receive(_ payload: ByteBuffer) {
        let ack = payload.withUnsafeReadableBytes { LoadAck.parse($0) }
        state.didReceive(ack, raw: String(buffer: payload), now: Self.now())
        ackedSinceLastPump = true
    }

    // MARK: - Sending

    /// Sends what the schedule and the window allow now, in one flush, and arranges to be called
    /// again when a paced connection has its next message due.
    private func pump(context: ChannelHandlerContext) {
        let now = Self.now()
        let count = state.sendable(now: now)
        if count > 0 {
            let wallMillis = Int64(Date().timeIntervalSince1970 * 1000)
            var batch: ByteBuffer?
            for _ in 0..<count {
                let index = state.sent
                let slot = index % messages.count
                messages[slot].stamp(seq: Int64(index + 1), sentAt: wallMillis, firstCounter: UInt64(index) &* idStride)
                _ = state.didSend(events: messages[slot].events, bytes: messages[slot].payloadLength, now: now)
                if messages[slot].frame.readableBytes <= Self.coalesceLimit {
                    if batch == nil {
                        batch = context.channel.allocator.buffer(capacity: count * messages[slot].frame.readableBytes)
                    }
                    batch!.writeImmutableBuffer(messages[slot].frame)
                } else {
                    if let pending = batch {
                        context.write(wrapOutboundOut(pending), promise: nil)
                        batch = nil
                    }
                    context.write(wrapOutboundOut(messages[slot].frame), promise: nil)
                }
            }
            if let batch { context.write(wrapOutboundOut(batch), promise: nil) }
            context.flush()
        }
        scheduleWakeUp(context: context)
    }

    private func scheduleWakeUp(context: ChannelHandlerContext) {
        guard let next = state.nextWakeUp() else { return }
        if let wakeUp {
            if wakeUp.at <= next { return }
            wakeUp.task.cancel()
        }
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        let task = context.eventLoop.scheduleTask(deadline: .uptimeNanoseconds(next)) {
            let (handler, context) = loopBound.value
            handler.wakeUp = nil
            handler.pump(context: context)
        }
        wakeUp = (task, next)
    }

    // MARK: - Ending

    /// Once stopped with nothing in flight: says goodbye (close frame, code 1000) and reports.
    /// The server answers with its own close frame, upon which the channel closes; a server that
    /// does not is cut off after a second.
    private func finishIfDone(context: ChannelHandlerContext) {
        guard state.isFinished, !completed else { return }
        wakeUp?.task.cancel()
        if !closeSent, context.channel.isActive {
            closeSent = true
            var payload = ByteBuffer()
            payload.writeInteger(UInt16(1000))
            appendControl(opcode: 0x88, payload: payload, context: context)
            context.writeAndFlush(wrapOutboundOut(control!), promise: nil)
            control = nil
            let channel = context.channel
            context.eventLoop.scheduleTask(in: .seconds(1)) { channel.close(promise: nil) }
        }
        complete()
    }

    private func complete() {
        guard !completed else { return }
        completed = true
        result.succeed(state.tally)
    }

    /// Queues a masked control frame (`0x88` close, `0x8A` pong) of at most 125 bytes.
    private func appendControl(opcode: UInt8, payload: ByteBuffer, context: ChannelHandlerContext) {
        var payload = payload
        let length = min(payload.readableBytes, 125)
        let key = WebSocketMaskingKey.random()
        var frame = control ?? context.channel.allocator.buffer(capacity: length + 6)
        frame.writeInteger(opcode)
        frame.writeInteger(UInt8(0x80) | UInt8(length))
        frame.writeBytes(key)
        for index in 0..<length {
            frame.writeInteger(payload.readInteger(as: UInt8.self)! ^ key[index & 3])
        }
        control = frame
    }

    private static func now() -> UInt64 {
        NIODeadline.now().uptimeNanoseconds
    }
}
