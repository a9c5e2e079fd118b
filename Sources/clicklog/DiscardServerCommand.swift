import ArgumentParser
import Dispatch
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket

/// `clicklog discard-server`: the transport limit. A WebSocket server on the same NIO stack as
/// `clicklog serve` (NIOHTTP1 upgrade, NIOWebSocket frame decoder) that reads every frame, counts
/// it and drops it, and answers every message at once with an ack, so that `clicklog load` can
/// drive it exactly as it drives the real server. It is hidden: a measuring tool, not a feature.
///
/// What it does per message, and nothing more:
/// - unmasks at most the first 64 payload bytes and looks there for `"seq":N` (where
///   `clicklog load` and the snippet put it); without one, the ack carries the message's 1-based
///   ordinal on the connection, as the protocol says;
/// - answers `{"ack":N,"accepted":K,"duplicates":0,"rejected":[]}` where K is
///   `--events-per-message` for a message with a `seq` (a batch) and 1 for one without (a bare
///   event). It does not count the events: a count would need the whole payload unmasked and
///   scanned, which is the work this server exists to leave out. The load generator's count
///   check therefore holds by construction here; its seq and order checks still apply;
/// - acks are written raw (no encoder) and flushed once per read, no fsync, no parse.
/// Upgrades are accepted on any path, any origin; `clicklog.v1` is selected when offered. Pings
/// are answered, a close is echoed. Binds 127.0.0.1 by default and exits after --exit-after s.
struct DiscardServerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "discard-server",
        abstract: "Measuring tool: a WebSocket server that acks and drops every message (the transport limit).",
        shouldDisplay: false
    )

    @Option(help: "Address to bind.")
    var host = "127.0.0.1"

    @Option(help: "Port to bind; 0 picks a free one (printed on standard output).")
    var port = 8090

    @Option(help: "Event-loop threads (default: one per core).")
    var threads = System.coreCount

    @Option(help: "The `accepted` count of the ack of a batch message (set it to the load's --batch).")
    var eventsPerMessage = 50

    @Option(help: "Largest message accepted, in bytes (close 1009 beyond it).")
    var maxMessageBytes = 1 << 20

    @Option(help: "Seconds after which the server exits by itself.")
    var exitAfter = 3600.0

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0 to 65535") }
        guard (1...64).contains(threads) else { throw ValidationError("--threads must be 1 to 64") }
        guard eventsPerMessage >= 0 else { throw ValidationError("--events-per-message must not be negative") }
        guard exitAfter > 0, exitAfter <= 86_400 else { throw ValidationError("--exit-after must be more than 0 and at most 86400 s") }
        guard maxMessageBytes >= 125 else { throw ValidationError("--max-message-bytes must be at least 125") }
    }

    func run() throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
        defer { try? group.syncShutdownGracefully() }
        let totals = DiscardTotals()
        let eventsPerMessage = eventsPerMessage
        let maxMessageBytes = maxMessageBytes

        let upgrader = DiscardUpgrader(maxFrameSize: maxMessageBytes) { channel in
            try channel.pipeline.syncOperations.addHandler(
                DiscardHandler(eventsPerMessage: eventsPerMessage, maxMessageBytes: maxMessageBytes, totals: totals)
            )
        }
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline(
                    withServerUpgrade: (upgraders: [upgrader], completionHandler: { _ in })
                )
            }
        let channel = try bootstrap.bind(host: host, port: port).wait()
        // Unbuffered, so that a script reading the port sees it at once.
        FileHandle.standardOutput.write(Data("discard-server listening on \(host):\(channel.localAddress?.port ?? port)\n".utf8))

        // Ends on SIGINT, SIGTERM or --exit-after, printing the totals.
        let done = DispatchSemaphore(value: 0)
        signal(SIGINT, SIG_IGN)
        signal(SIGTERM, SIG_IGN)
        let sources = [SIGINT, SIGTERM].map { number in
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { done.signal() }
            source.resume()
            return source
        }
        _ = done.wait(timeout: .now() + exitAfter)
        sources.forEach { $0.cancel() }
        try? channel.close().wait()
        let t = totals.snapshot()
        FileHandle.standardOutput.write(Data("discard-server: \(t.connections) connections, \(t.messages) messages, \(t.bytes) payload bytes\n".utf8))
    }
}

/// The server side of the WebSocket upgrade with only the frame decoder installed: NIO's own
/// upgrader does the handshake (key, accept, version checks) but would also install a frame
/// encoder that cannot be removed, and the acks here go out as raw bytes.
private final class DiscardUpgrader: HTTPServerProtocolUpgrader, Sendable {
    let supportedProtocol = "websocket"
    let requiredUpgradeHeaders: [String] = []

    private let handshake: NIOWebSocketServerUpgrader
    private let maxFrameSize: Int
    private let addHandlers: @Sendable (any Channel) throws -> Void

    init(maxFrameSize: Int, addHandlers: @escaping @Sendable (any Channel) throws -> Void) {
        self.maxFrameSize = maxFrameSize
        self.addHandlers = addHandlers
        handshake = NIOWebSocketServerUpgrader(
            maxFrameSize: maxFrameSize,
            shouldUpgrade: { channel, head in
                // Any path, any origin; the subprotocol is echoed when offered.
                var headers = HTTPHeaders()
                let offered = head.headers["Sec-WebSocket-Protocol"]
                    .flatMap { $0.split(separator: ",") }
                    .map { $0.trimmingCharacters(in: .whitespaces) }
                if offered.contains("clicklog.v1") { headers.add(name: "Sec-WebSocket-Protocol", value: "clicklog.v1") }
                return channel.eventLoop.makeSucceededFuture(headers)
            },
            upgradePipelineHandler: { channel, _ in channel.eventLoop.makeSucceededVoidFuture() }
        )
    }

    func buildUpgradeResponse(
        channel: any Channel, upgradeRequest: HTTPRequestHead, initialResponseHeaders: HTTPHeaders
    ) -> EventLoopFuture<HTTPHeaders> {
        handshake.buildUpgradeResponse(
            channel: channel, upgradeRequest: upgradeRequest, initialResponseHeaders: initialResponseHeaders
        )
    }

    func upgrade(context: ChannelHandlerContext, upgradeRequest: HTTPRequestHead) -> EventLoopFuture<Void> {
        let channel = context.channel
        let maxFrameSize = maxFrameSize
        let addHandlers = addHandlers
        return channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(
                ByteToMessageHandler(WebSocketFrameDecoder(maxFrameSize: maxFrameSize))
            )
            try addHandlers(channel)
        }
    }
}

/// What all connections saw, added up as each closes.
private final class DiscardTotals: @unchecked Sendable {
    private let lock = NSLock()
    private var counts = (connections: 0, messages: 0, bytes: 0)

    func add(messages: Int, bytes: Int) {
        lock.withLock {
            counts.connections += 1
            counts.messages += messages
            counts.bytes += bytes
        }
    }

    func snapshot() -> (connections: Int, messages: Int, bytes: Int) {
        lock.withLock { counts }
    }
}

/// Reads frames, finds the seq, drops the rest, acks.
private final class DiscardHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = ByteBuffer

    /// How far into a message the `seq` is looked for.
    static let seqWindow = 64

    private let eventsPerMessage: Int
    private let maxMessageBytes: Int
    private let totals: DiscardTotals
    private var ordinal: Int64 = 0
    private var messages = 0
    private var bytes = 0
    /// The message being reassembled from fragments: its seq and size so far.
    private var fragmented: (seq: Int64?, bytes: Int)?
    /// Acks of this read, written in one go at its end.
    private var acks: ByteBuffer
    private var closing = false

    init(eventsPerMessage: Int, maxMessageBytes: Int, totals: DiscardTotals) {
        self.eventsPerMessage = eventsPerMessage
        self.maxMessageBytes = maxMessageBytes
        self.totals = totals
        acks = ByteBuffer()
    }

    func handlerAdded(context: ChannelHandlerContext) {
        acks = context.channel.allocator.buffer(capacity: 4096)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        guard !closing else { return }
        switch frame.opcode {
        case .text, .binary:
            guard fragmented == nil else { return fail(context: context, code: 1002) }
            let seq = Self.findSeq(frame)
            if frame.fin {
                messageDone(seq: seq, bytes: frame.length)
            } else {
                fragmented = (seq, frame.length)
            }
        case .continuation:
            guard var message = fragmented else { return fail(context: context, code: 1002) }
            message.bytes += frame.length
            guard message.bytes <= maxMessageBytes else { return fail(context: context, code: 1009) }
            if frame.fin {
                fragmented = nil
                messageDone(seq: message.seq, bytes: message.bytes)
            } else {
                fragmented = message
            }
        case .ping:
            writeFrame(opcode: 0x8A, payload: frame.unmaskedData)
        case .pong:
            break
        case .connectionClose:
            closing = true
            writeFrame(opcode: 0x88, payload: frame.unmaskedData)
            context.writeAndFlush(wrapOutboundOut(acks), promise: nil)
            acks.clear()
            context.close(promise: nil)
        default:
            fail(context: context, code: 1002)
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if acks.readableBytes > 0 {
            context.writeAndFlush(wrapOutboundOut(acks), promise: nil)
            acks = context.channel.allocator.buffer(capacity: 4096)
        }
        context.fireChannelReadComplete()
    }

    func channelInactive(context: ChannelHandlerContext) {
        totals.add(messages: messages, bytes: bytes)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        let code: UInt16 = (error as? NIOWebSocketError) == .invalidFrameLength ? 1009 : 1002
        fail(context: context, code: code)
    }

    private func messageDone(seq: Int64?, bytes: Int) {
        ordinal += 1
        messages += 1
        self.bytes += bytes
        writeAck(seq ?? ordinal, accepted: seq == nil ? 1 : Int64(eventsPerMessage))
    }

    /// Appends `{"ack":N,"accepted":K,"duplicates":0,"rejected":[]}` as a text frame.
    private func writeAck(_ ack: Int64, accepted: Int64) {
        let head: StaticString = #"{"ack":"#
        let middle: StaticString = #","accepted":"#
        let tail: StaticString = #","duplicates":0,"rejected":[]}"#
        let length = head.utf8CodeUnitCount + middle.utf8CodeUnitCount + tail.utf8CodeUnitCount
            + Self.digits(ack) + Self.digits(accepted)
        acks.writeInteger(UInt8(0x81))
        acks.writeInteger(UInt8(length))  // always < 126
        acks.writeStaticString(head)
        Self.writeDecimal(ack, to: &acks)
        acks.writeStaticString(middle)
        Self.writeDecimal(accepted, to: &acks)
        acks.writeStaticString(tail)
    }

    private static func digits(_ value: Int64) -> Int {
        var count = value < 0 ? 2 : 1
        var rest = value.magnitude / 10
        while rest != 0 {
            count += 1
            rest /= 10
        }
        return count
    }

    private static func writeDecimal(_ value: Int64, to buffer: inout ByteBuffer) {
        if value < 0 { buffer.writeInteger(UInt8(ascii: "-")) }
        var rest = value.magnitude
        let count = digits(Int64(truncatingIfNeeded: rest))
        let start = buffer.writerIndex
        buffer.writeRepeatingByte(0x30, count: count)
        var index = start + count - 1
        repeat {
            buffer.setInteger(UInt8(truncatingIfNeeded: 0x30 &+ rest % 10), at: index)
            rest /= 10
            index -= 1
        } while rest != 0
    }

    /// Appends an unmasked server frame of at most 65535 bytes to this read's output.
    private func writeFrame(opcode: UInt8, payload: ByteBuffer) {
        acks.writeInteger(opcode)
        if payload.readableBytes < 126 {
            acks.writeInteger(UInt8(payload.readableBytes))
        } else {
            acks.writeInteger(UInt8(126))
            acks.writeInteger(UInt16(min(payload.readableBytes, 65535)))
        }
        var payload = payload
        acks.writeBuffer(&payload)
    }

    private func fail(context: ChannelHandlerContext, code: UInt16) {
        guard !closing else { return }
        closing = true
        var payload = ByteBuffer()
        payload.writeInteger(code)
        writeFrame(opcode: 0x88, payload: payload)
        context.writeAndFlush(wrapOutboundOut(acks), promise: nil)
        acks.clear()
        context.close(promise: nil)
    }

    /// `"seq":N` among the first `seqWindow` payload bytes, unmasking only those.
    private static func findSeq(_ frame: WebSocketFrame) -> Int64? {
        let data = frame.data
        let count = min(data.readableBytes, seqWindow)
        guard count > 8 else { return nil }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: seqWindow) { head -> Int64? in
            let key = frame.maskKey
            let mask = (key?[0] ?? 0, key?[1] ?? 0, key?[2] ?? 0, key?[3] ?? 0)
            data.withUnsafeReadableBytes { raw in
                var index = 0
                while index + 4 <= count {
                    head[index] = raw[index] ^ mask.0
                    head[index + 1] = raw[index + 1] ^ mask.1
                    head[index + 2] = raw[index + 2] ^ mask.2
                    head[index + 3] = raw[index + 3] ^ mask.3
                    index += 4
                }
                while index < count {
                    let m = index & 3 == 0 ? mask.0 : index & 3 == 1 ? mask.1 : mask.2
                    head[index] = raw[index] ^ m
                    index += 1
                }
            }
            // "seq"
            var i = 0
            while i + 5 <= count {
                if head[i] == 0x22, head[i + 1] == UInt8(ascii: "s"), head[i + 2] == UInt8(ascii: "e"),
                   head[i + 3] == UInt8(ascii: "q"), head[i + 4] == 0x22 {
                    var j = i + 5
                    while j < count, head[j] == 0x20 || head[j] == UInt8(ascii: ":") { j += 1 }
                    var value: Int64 = 0
                    var digits = 0
                    while j < count, head[j] >= 0x30, head[j] <= 0x39, digits < 18 {
                        value = value * 10 + Int64(head[j] - 0x30)
                        digits += 1
                        j += 1
                    }
                    return digits > 0 ? value : nil
                }
                i += 1
            }
            return nil
        }
    }
}
