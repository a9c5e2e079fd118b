import ClicklogEvents
import ClicklogStorage
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import NIOWebSocket
import Synchronization

/// `clicklog serve`: the WebSocket and HTTP ingest server (docs/architecture.md).
///
///     let server = try IngestServer.start(configuration: configuration, logger: logger)
///     ...                                  // until SIGTERM
///     let report = server.shutdown()       // drain, commit, ack, close 1001
///
/// Event loops (one per core) read, frame and parse; one writer thread commits groups of
/// blocks and releases the acks. Starting opens the data directory (its lock, crash recovery)
/// and reloads the ids of the deduplication window before binding.
public final class IngestServer: Sendable {
    /// Where the server listens (with the port the system chose when asked for 0).
    public let localAddress: SocketAddress
    /// What opening the log found and repaired.
    public let recovery: RecoveryReport?
    let context: ServerContext
    private let group: MultiThreadedEventLoopGroup
    private let channel: Channel
    private let writer: GroupCommitWriter
    private let shards: [LoopShard]
    private let stopped = Mutex<ShutdownReport?>(nil)

    /// What a shutdown did.
    public struct ShutdownReport: Sendable, Equatable {
        /// Connections that had to be closed without finishing the close handshake.
        public var forcedConnections = 0
        /// Events that were received but could not be stored (storage failing at shutdown);
        /// they were not acknowledged, so clients resend them.
        public var unstoredEvents = 0
    }

    /// Opens the data directory and starts listening.
    public static func start(configuration: ServerConfiguration, logger: Logger) throws -> IngestServer {
        var options = LogOptions()
        options.compression = .zstd(level: configuration.zstdLevel)
        let store = try LogStore(directory: configuration.dataDirectory, options: options)
        if !store.recovery.isClean {
            logger.notice("recovered the log", metadata: ["report": "\(store.recovery)"])
        }
        var window = DeduplicationWindow(
            windowMicros: Int64(configuration.deduplicationWindow.nanoseconds / 1000), maxIDs: configuration.deduplicationMaxIDs)
        let started = Date()
        try window.load(from: LogReader(directory: configuration.dataDirectory), now: Clock.microseconds())
        logger.info("loaded the deduplication window", metadata: [
            "ids": "\(window.count)", "seconds": "\(String(format: "%.2f", Date().timeIntervalSince(started)))",
        ])
        return try start(configuration: configuration, store: store, deduplication: window, recovery: store.recovery, logger: logger)
    }

    /// Starts on a given store (tests pass one that fails or stalls on demand).
    static func start(
        configuration: ServerConfiguration, store: EventStore, deduplication: DeduplicationWindow,
        recovery: RecoveryReport? = nil, logger: Logger
    ) throws -> IngestServer {
        try IngestServer(configuration: configuration, store: store, deduplication: deduplication, recovery: recovery, logger: logger)
    }

    private init(
        configuration: ServerConfiguration, store: EventStore, deduplication: DeduplicationWindow,
        recovery: RecoveryReport?, logger: Logger
    ) throws {
        self.recovery = recovery
        let metrics = IngestMetrics()
        let files = try StaticFiles(web: StaticFiles.bundledWebDirectory, includeDemo: configuration.demo)
        if files.snippet == nil { logger.warning("c.js is missing from the bundle: GET /c.js will answer 404") }
        let sslContext = try configuration.tls.map { tls in
            try NIOSSLContext(configuration: .makeServerConfiguration(
                certificateChain: try NIOSSLCertificate.fromPEMFile(tls.certificatePath).map { .certificate($0) },
                privateKey: .privateKey(try NIOSSLPrivateKey(file: tls.keyPath, format: .pem))))
        }
        let context = ServerContext(configuration: configuration, files: files, metrics: metrics, logger: logger)
        self.context = context

        let commit = configuration.groupCommit
        let backPressure = BackPressure(maxEvents: commit.maxQueuedEvents, maxBytes: commit.maxQueuedBytes, metrics: metrics)
        let directory = ShardDirectory()
        let writer = GroupCommitWriter(
            store: store, deduplication: deduplication, options: commit, metrics: metrics, logger: logger
        ) { completions, events, bytes in
            directory.route(completions)
            if backPressure.removed(events: events, bytes: bytes) { directory.resumeAll() }
        }
        self.writer = writer

        let threads = configuration.eventLoopThreads > 0 ? configuration.eventLoopThreads : System.coreCount
        let group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
        self.group = group
        let environment = ShardEnvironment(
            writer: writer, backPressure: backPressure, metrics: metrics, limits: configuration.limits.events,
            maxEnvelopeEvents: min(4096, commit.maxBlockEvents), maxEnvelopeBytes: 4 << 20)
        var shards: [LoopShard] = []
        for (index, loop) in group.makeIterator().enumerated() {
            shards.append(try loop.submit { LoopShard(index: index, eventLoop: loop, environment: environment) }.wait())
        }
        self.shards = shards
        directory.set(shards)
        writer.start()

        let byLoop = Dictionary(uniqueKeysWithValues: shards.map { (ObjectIdentifier($0.eventLoop), $0) })
        let frameLimit = configuration.testEcho
            ? max(WebSocketEchoHandler.maxMessageBytes, configuration.limits.events.maxMessageBytes)
            : configuration.limits.events.maxMessageBytes
        // Reads per wakeup (4 × NIO's adaptive buffer, at most 256 KiB) and unsent bytes per
        // connection (256 KiB, then the client counts as not reading its acks) bound what one
        // connection can make the server hold; see "Back-pressure" in docs/architecture.md.
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.maxMessagesPerRead, value: 4)
            .childChannelOption(.writeBufferWaterMark, value: .init(low: 64 << 10, high: 256 << 10))
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try IngestServer.initialize(
                        channel, shard: byLoop[ObjectIdentifier(channel.eventLoop)]!, server: context,
                        ssl: sslContext, frameLimit: frameLimit)
                }
            }
        do {
            channel = try bootstrap.bind(host: configuration.host, port: configuration.port).wait()
        } catch {
            _ = writer.stop(timeout: .seconds(5))
            try? group.syncShutdownGracefully()
            throw error
        }
        localAddress = channel.localAddress!
        logger.info("listening", metadata: [
            "address": "\(localAddress)", "tls": "\(sslContext != nil)", "sites": "\(configuration.sites.map(\.key))",
            "event_loops": "\(threads)", "demo": "\(configuration.demo)", "test_echo": "\(configuration.testEcho)",
        ])
    }

    /// Sets up a new connection: TLS, HTTP with the WebSocket upgrader, the request handler.
    private static func initialize(
        _ channel: Channel, shard: LoopShard, server: ServerContext, ssl: NIOSSLContext?, frameLimit: Int
    ) throws {
        let metrics = server.metrics
        let open = metrics.openConnections.add(1, ordering: .relaxed).newValue
        metrics.connectionsTotal.add(1)
        channel.closeFuture.whenComplete { _ in metrics.openConnections.subtract(1, ordering: .relaxed) }
        let limit = server.limits.maxConnections
        let refusal: IngestError? = open > limit ? .tooManyConnections(limit: limit) : nil

        let sync = channel.pipeline.syncOperations
        if let ssl { try sync.addHandler(NIOSSLServerHandler(context: ssl)) }
        // One idle timer for the connection's whole life: the HTTP handler closes an idle
        // keep-alive connection, the WebSocket handler pings (and closes a silent peer).
        try sync.addHandler(IdleStateHandler(readTimeout: .nanoseconds(server.limits.idleTimeout.nanoseconds)))
        let upgrader = NIOWebSocketServerUpgrader(
            maxFrameSize: frameLimit, automaticErrorHandling: false,
            shouldUpgrade: { channel, head in
                channel.eventLoop.makeSucceededFuture(refusal == nil ? upgradeHeaders(head, server: server) : nil)
            },
            upgradePipelineHandler: { channel, head in
                channel.eventLoop.makeCompletedFuture {
                    try addWebSocketHandlers(channel, head: head, shard: shard, server: server)
                }
            })
        var headerLimits = NIOHTTPDecoderLimitConfiguration()
        headerLimits.maxHeaderFieldSize = server.limits.maxHeaderBytes
        headerLimits.maxHeaderListSize = server.limits.maxHeaderBytes
        headerLimits.maxHeaderFieldCount = 100
        try sync.configureHTTPServerPipeline(
            withPipeliningAssistance: true,
            withServerUpgrade: (upgraders: [upgrader], completionHandler: { context in
                context.pipeline.syncOperations.removeHandler(name: httpHandlerName, promise: nil)
            }),
            withErrorHandling: true,
            withEncoderConfiguration: .init(),
            withDecoderLimitConfiguration: headerLimits)
        try sync.addHandler(HTTPIngestHandler(server: server, shard: shard, refusal: refusal), name: httpHandlerName)
    }

    private static let httpHandlerName = "clicklog.http"

    /// The extra headers of the 101 response, or `nil` to refuse (the HTTP handler then
    /// answers with the reason).
    private static func upgradeHeaders(_ head: HTTPRequestHead, server: ServerContext) -> HTTPHeaders? {
        guard !server.shuttingDown.load(ordering: .relaxed) else { return nil }
        let target = RequestTarget(head.uri)
        switch target.path {
        case "/v1/ws":
            guard case .success(let accepted) = server.policy.evaluate(target: target, headers: head.headers, webSocket: true) else {
                return nil
            }
            var headers = HTTPHeaders()
            if let subprotocol = accepted.subprotocol { headers.add(name: "sec-websocket-protocol", value: subprotocol) }
            if let deflate = deflateResponse(head, server: server) { headers.add(name: "sec-websocket-extensions", value: deflate) }
            return headers
        case "/v1/echo" where server.configuration.testEcho:
            var headers = HTTPHeaders()
            if let deflate = deflateResponse(head, server: server) { headers.add(name: "sec-websocket-extensions", value: deflate) }
            return headers
        default:
            return nil
        }
    }

    /// The permessage-deflate acceptance for the 101 response, when the server offers the
    /// extension and the client asked for it acceptably.
    private static func deflateResponse(_ head: HTTPRequestHead, server: ServerContext) -> String? {
        server.configuration.permessageDeflate ? PerMessageDeflate.response(to: head.headers) : nil
    }

    private static func addWebSocketHandlers(_ channel: Channel, head: HTTPRequestHead, shard: LoopShard, server: ServerContext) throws {
        let sync = channel.pipeline.syncOperations
        let target = RequestTarget(head.uri)
        let writer = try RawFrameWriter.install(in: sync)
        // The same decision as in the 101 response; this runs on the connection's event loop,
        // whose inflater it gets.
        let inflater = deflateResponse(head, server: server) == nil ? nil : MessageInflater.forCurrentThread()
        if target.path == "/v1/echo" {
            try sync.addHandler(WebSocketEchoHandler(writer: writer, inflater: inflater))
            return
        }
        guard case .success(let accepted) = server.policy.evaluate(target: target, headers: head.headers, webSocket: true) else {
            throw IngestError.badRequest("the upgrade was refused")  // unreachable: shouldUpgrade checked the same
        }
        let configuration = server.configuration
        let session = ConnectionSession(
            site: accepted.site, headers: head.headers, peer: channel.remoteAddress?.ipAddress,
            ipMode: configuration.ipMode, proxies: configuration.trustedProxies)
        let idle = configuration.limits.idleTimeout
        try sync.addHandler(WebSocketIngestHandler(
            session: session, writer: writer, inflater: inflater, shard: shard, limits: configuration.limits.events,
            idleTimeoutSeconds: max(1, idle.nanoseconds / 1_000_000_000), metrics: server.metrics, logger: server.logger))
    }

    /// `GET /metrics` text, for tests and tools in the same process.
    public func metricsText() -> String { context.metrics.prometheusText() }

    /// Graceful shutdown: stop accepting, let every connection finish (acks of what was read
    /// go out once durable, then close 1001), commit, stop the writer. Waits at most
    /// `limits.shutdownTimeout` for connections, then closes the rest. Idempotent.
    @discardableResult
    public func shutdown() -> ShutdownReport {
        if let report = stopped.withLock({ $0 }) { return report }
        guard !context.shuttingDown.exchange(true, ordering: .sequentiallyConsistent) else {
            while true {
                if let report = stopped.withLock({ $0 }) { return report }
                usleep(10_000)
            }
        }
        let logger = context.logger
        let metrics = context.metrics
        logger.info("shutting down: no new connections; draining the open ones", metadata: [
            "connections": "\(metrics.openConnections.load(ordering: .relaxed))",
        ])
        try? channel.close().wait()
        for shard in shards { shard.beginShutdown() }
        var report = ShutdownReport()
        let deadline = Date().addingTimeInterval(Double(context.limits.shutdownTimeout.nanoseconds) / 1e9)
        while metrics.openConnections.load(ordering: .relaxed) > 0 && Date() < deadline {
            usleep(10_000)
        }
        report.forcedConnections = metrics.openConnections.load(ordering: .relaxed)
        if report.forcedConnections > 0 {
            logger.warning("closing connections that did not finish in time", metadata: ["connections": "\(report.forcedConnections)"])
            for shard in shards { shard.forceClose() }
            let forcedDeadline = Date().addingTimeInterval(2)
            while metrics.openConnections.load(ordering: .relaxed) > 0 && Date() < forcedDeadline { usleep(10_000) }
        }
        report.unstoredEvents = writer.stop(timeout: .seconds(max(1, Int64(deadline.timeIntervalSinceNow))))
        if report.unstoredEvents > 0 {
            logger.error("stopped with events that could not be stored; they were not acknowledged, so clients will resend them", metadata: [
                "events": "\(report.unstoredEvents)",
            ])
        }
        try? group.syncShutdownGracefully()
        logger.info("stopped", metadata: ["forced_connections": "\(report.forcedConnections)", "unstored_events": "\(report.unstoredEvents)"])
        stopped.withLock { $0 = report }
        return report
    }
}

/// The shards, for the writer's completions (set once, right after the loops start).
private final class ShardDirectory: Sendable {
    private let shards = Mutex<[LoopShard]>([])

    func set(_ list: [LoopShard]) { shards.withLock { $0 = list } }

    func route(_ completions: [EnvelopeCompletion]) {
        let all = shards.withLock { $0 }
        var byShard = [[EnvelopeCompletion]](repeating: [], count: all.count)
        for completion in completions { byShard[completion.shard].append(completion) }
        for (index, list) in byShard.enumerated() where !list.isEmpty { all[index].completed(list) }
    }

    func resumeAll() {
        for shard in shards.withLock({ $0 }) { shard.resume() }
    }
}

extension Duration {
    /// The whole duration in nanoseconds (saturating).
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (whole, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? .max : whole + attoseconds / 1_000_000_000
    }
}
