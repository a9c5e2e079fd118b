import ClicklogGenerator
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket

/// One run of the load generator: builds every message, opens the connections, starts them on
/// one timeline, waits for the last ack (or the drain timeout) and adds up what they saw.
struct LoadRun {
    let plan: LoadPlan

    /// What the run measured.
    struct Outcome: Sendable {
        var tally: LoadTally
        /// Seconds between the end of the warm-up and the end of sending.
        var measuredSeconds: Double
        /// Seconds spent building the messages (before the clock).
        var buildSeconds: Double
        var connectSeconds: Double
    }

    /// Upper bound on the memory of the pre-built messages.
    static let maxMessageBytes = 1 << 30

    func run() throws -> Outcome {
        let buildStart = DispatchTime.now().uptimeNanoseconds
        let messages = try buildMessages()
        let buildSeconds = Self.seconds(since: buildStart)

        let group = MultiThreadedEventLoopGroup(numberOfThreads: plan.threads)
        defer { try? group.syncShutdownGracefully() }

        let connectStart = DispatchTime.now().uptimeNanoseconds
        let connections = try openConnections(group: group, messages: messages)
        let connectSeconds = Self.seconds(since: connectStart)

        // A short lead so that every connection has its timers set before the first send.
        let start = NIODeadline.now().uptimeNanoseconds + 50_000_000
        let measureFrom = start + UInt64(plan.warmup * 1e9)
        let measureUntil = measureFrom + UInt64(plan.duration * 1e9)
        let timeline = LoadConnectionState.Timeline(start: start, measureFrom: measureFrom, measureUntil: measureUntil)
        for connection in connections {
            connection.channel.pipeline.fireUserInboundEventTriggered(LoadControl.start(timeline))
        }
        let channels = connections.map(\.channel)
        let drainTimeout = plan.drainTimeout
        let abort = group.next().scheduleTask(deadline: .uptimeNanoseconds(measureUntil + UInt64(drainTimeout * 1e9))) {
            for channel in channels {
                channel.pipeline.fireUserInboundEventTriggered(
                    LoadControl.abort("no ack within \(drainTimeout) s after the end (--drain-timeout)")
                )
            }
        }
        let tallies = try EventLoopFuture.whenAllSucceed(connections.map(\.tally), on: group.next()).wait()
        abort.cancel()
        // Each connection closes itself after the close handshake, or a second after its close frame.
        for channel in channels {
            try? channel.closeFuture.wait()
        }

        var total = LoadTally()
        for tally in tallies { total.add(tally) }
        return Outcome(
            tally: total, measuredSeconds: plan.duration, buildSeconds: buildSeconds, connectSeconds: connectSeconds
        )
    }

    // MARK: - Before the clock

    /// Every connection's messages, from one traffic generator so that no two connections send
    /// the same events. The traffic spans the day before today (UTC): in the past, as the
    /// protocol wants `ts`, and recent, as a live site's traffic is.
    func buildMessages() throws -> [[LoadMessage]] {
        let perConnection = plan.messagesPerConnection
        let estimate = plan.connections * perConnection * (plan.batch * 420 + 64)
        guard estimate <= Self.maxMessageBytes else { throw LoadError.tooMuchMemory(bytes: estimate) }

        let today = Int64(Date().timeIntervalSince1970 * 1000) / 86_400_000 * 86_400_000
        let total = plan.connections * perConnection * plan.batch
        var generator = try TrafficGenerator(
            GeneratorOptions(events: total, seed: plan.seed, days: 1, start: today - 86_400_000)
        )
        let builder = LoadMessageBuilder(framing: plan.framing)
        let allocator = ByteBufferAllocator()
        var all: [[LoadMessage]] = []
        all.reserveCapacity(plan.connections)
        var events: [[UInt8]] = []
        var buffer: [UInt8] = []
        for connection in 0..<plan.connections {
            var messages: [LoadMessage] = []
            messages.reserveCapacity(perConnection)
            for _ in 0..<perConnection {
                events.removeAll(keepingCapacity: true)
                for _ in 0..<plan.batch {
                    buffer.removeAll(keepingCapacity: true)
                    guard generator.nextEvent(into: &buffer) != nil else { break }
                    events.append(buffer)
                }
                messages.append(try builder.message(events: events, connection: connection, allocator: allocator))
            }
            all.append(messages)
        }
        return all
    }

    // MARK: - Connecting

    private struct Connection {
        var channel: any Channel
        var tally: EventLoopFuture<LoadTally>
    }

    private enum Upgrade: Sendable {
        case upgraded(EventLoopFuture<LoadTally>)
        case refused(EventLoopFuture<String>)
    }

    /// Opens every connection and completes its upgrade; all or nothing.
    private func openConnections(group: any EventLoopGroup, messages: [[LoadMessage]]) throws -> [Connection] {
        var pending: [(EventLoopFuture<any Channel>, EventLoopFuture<Upgrade>)] = []
        for index in 0..<plan.connections {
            pending.append(connect(index: index, group: group, messages: messages[index]))
        }
        var opened: [Connection] = []
        var failure: (any Error)?
        for (channelFuture, upgradeFuture) in pending {
            do {
                let channel = try channelFuture.wait()
                switch try upgradeFuture.wait() {
                case .upgraded(let tally):
                    opened.append(Connection(channel: channel, tally: tally))
                case .refused(let status):
                    let text = (try? status.wait()) ?? "no HTTP status"
                    channel.close(promise: nil)
                    failure = failure ?? LoadError.upgradeRefused(plan.target, status: text)
                }
            } catch let error as LoadError {
                failure = failure ?? error
            } catch {
                failure = failure ?? LoadError.connectFailed(plan.target, error)
            }
        }
        if let failure {
            for connection in opened { connection.channel.close(promise: nil) }
            throw failure
        }
        return opened
    }

    private func connect(
        index: Int, group: any EventLoopGroup, messages: [LoadMessage]
    ) -> (EventLoopFuture<any Channel>, EventLoopFuture<Upgrade>) {
        let loop = group.next()
        let upgraded = loop.makePromise(of: Upgrade.self)
        let plan = plan
        let bootstrap = ClientBootstrap(group: loop)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connectTimeout(.seconds(10))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let future = try Self.configureUpgrade(
                        channel: channel, plan: plan, index: index, messages: messages
                    )
                    future.cascade(to: upgraded)
                }
            }
        let channel = bootstrap.connect(host: plan.target.host, port: plan.target.port)
        channel.whenFailure { upgraded.fail($0) }
        return (channel, upgraded.futureResult)
    }

    private static func configureUpgrade(
        channel: any Channel, plan: LoadPlan, index: Int, messages: [LoadMessage]
    ) throws -> EventLoopFuture<Upgrade> {
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: plan.target.hostHeader)
        headers.add(name: "User-Agent", value: "clicklog-load")
        if let origin = plan.origin { headers.add(name: "Origin", value: origin) }
        if let subprotocol = plan.subprotocol { headers.add(name: "Sec-WebSocket-Protocol", value: subprotocol) }
        headers.add(name: "Content-Length", value: "0")
        let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: plan.target.requestTarget, headers: headers)

        let upgrader = LoadWebSocketUpgrader<Upgrade>(
            pipeline: { channel, response in
                channel.eventLoop.makeCompletedFuture {
                    if let subprotocol = plan.subprotocol,
                       !response.headers["Sec-WebSocket-Protocol"].contains(where: { $0.contains(subprotocol) }) {
                        throw LoadError.subprotocolMissing(plan.target)
                    }
                    let result = channel.eventLoop.makePromise(of: LoadTally.self)
                    let handler = LoadConnectionHandler(
                        state: LoadConnectionState(
                            connection: index, window: plan.window, schedule: plan.schedule(connection: index)
                        ),
                        messages: messages, idStride: plan.batch, maxFrameSize: 1 << 20, result: result
                    )
                    try channel.pipeline.syncOperations.addHandler(handler)
                    return Upgrade.upgraded(result.futureResult)
                }
            }
        )
        let configuration = NIOTypedHTTPClientUpgradeConfiguration<Upgrade>(
            upgradeRequestHead: head,
            upgraders: [upgrader],
            notUpgradingCompletionHandler: { channel in
                channel.eventLoop.makeCompletedFuture {
                    let status = channel.eventLoop.makePromise(of: String.self)
                    try channel.pipeline.syncOperations.addHandler(LoadRefusalHandler(status: status))
                    return Upgrade.refused(status.futureResult)
                }
            }
        )
        var pipeline = NIOUpgradableHTTPClientPipelineConfiguration(upgradeConfiguration: configuration)
        pipeline.leftOverBytesStrategy = .forwardBytes
        return try channel.pipeline.syncOperations.configureUpgradableHTTPClientPipeline(configuration: pipeline)
    }

    private static func seconds(since start: UInt64) -> Double {
        Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }
}

/// Catches the status of a refused upgrade (`401`, `403` …) for the error message.
private final class LoadRefusalHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = HTTPClientResponsePart

    private let status: EventLoopPromise<String>

    init(status: EventLoopPromise<String>) {
        self.status = status
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head(let head) = unwrapInboundIn(data) {
            status.succeed("HTTP \(head.status.code) \(head.status.reasonPhrase)")
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        status.succeed("the connection closed")
    }
}
