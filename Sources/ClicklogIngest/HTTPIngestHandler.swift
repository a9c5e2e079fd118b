import ClicklogEvents
import NIOCore
import NIOHTTP1
import NIOWebSocket

/// Every plain HTTP request: `POST /v1/events` (sendBeacon and fetch, with CORS), its
/// preflight, `/c.js`, `/healthz`, `/metrics`, the demo shop, and the answer to WebSocket
/// upgrades the upgrader refused (401, 403, 400).
///
/// One request at a time (NIO's pipelining handler holds the next until this one's response
/// ends). A POST body is collected up to the message limit, parsed on this loop's shard, and
/// answered once its events are durable, exactly like a WebSocket message.
final class HTTPIngestHandler: ChannelDuplexHandler, RemovableChannelHandler, ShardMember {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private enum State {
        case idle
        /// Collecting a POST body.
        case receiving(Post)
        /// The answer was decided at the head; the body is read and dropped.
        case discarding(Response)
        /// The message is with the writer; answer once durable.
        case awaitingDurable(Post, Ack, durable: Bool)
    }

    private struct Post {
        var head: HTTPRequestHead
        var session: ConnectionSession
        var cors: HTTPHeaders
        var body: ByteBuffer
    }

    struct Response {
        var status: HTTPResponseStatus
        var headers = HTTPHeaders()
        var body: ByteBuffer?
        /// Close the connection after it (errors that leave the request stream unusable).
        var close = false
    }

    private let server: ServerContext
    private let shard: LoopShard
    /// Set when the connection is over the connection limit: every request gets this answer.
    private let refusal: IngestError?
    private var state = State.idle
    private var gate = ReadGate()
    private var context: ChannelHandlerContext?
    private var keepAlive = true
    private var shuttingDown = false
    var completionRound: UInt64 = 0

    init(server: ServerContext, shard: LoopShard, refusal: IngestError?) {
        self.server = server
        self.shard = shard
        self.refusal = refusal
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        shard.state.register(self)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        shard.state.unregister(self)
        self.context = nil
    }

    // MARK: Inbound

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            keepAlive = head.isKeepAlive
            received(head, context: context)
        case .body(let part):
            guard case .receiving(var post) = state else { return }
            let limit = server.limits.events.maxMessageBytes
            guard post.body.readableBytes + part.readableBytes <= limit else {
                server.metrics.countLimitHit("message_bytes")
                state = .idle
                var response = errorResponse(.messageTooLarge(limit: limit), cors: post.cors)
                response.close = true
                send(response, head: post.head, context: context)
                return
            }
            state = .idle  // so `post.body` is uniquely referenced while it grows
            var part = part
            post.body.writeBuffer(&part)
            state = .receiving(post)
        case .end:
            switch state {
            case .receiving(let post):
                ingest(post, context: context)
            case .discarding(let response):
                state = .idle
                send(response, head: nil, context: context)
            case .idle, .awaitingDurable:
                break
            }
        }
    }

    private func received(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        if let refusal {
            if let kind = refusal.limitKind { server.metrics.countLimitHit(kind) }
            var response = errorResponse(refusal, cors: [:])
            response.close = true
            state = .discarding(response)
            return
        }
        let target = RequestTarget(head.uri)
        guard let path = target.path else {
            state = .discarding(errorResponse(.badRequest("the URL's percent-encoding is broken"), cors: [:]))
            return
        }
        let isRead = head.method == .GET || head.method == .HEAD
        switch path {
        case "/v1/events":
            switch head.method {
            case .POST: startPost(head, target: target, context: context)
            case .OPTIONS: state = .discarding(preflight(head, target: target))
            default:
                var response = errorResponse(.methodNotAllowed(head.method.rawValue, path: path), cors: [:])
                response.headers.add(name: "allow", value: "POST, OPTIONS")
                state = .discarding(response)
            }
        case "/v1/ws":
            state = .discarding(refusedUpgrade(head, target: target, echo: false))
        case "/v1/echo" where server.configuration.testEcho:
            state = .discarding(refusedUpgrade(head, target: target, echo: true))
        case "/healthz" where isRead:
            let reason = server.unhealthyReason
            state = .discarding(text(reason.map { "unavailable: \($0)\n" } ?? "ok\n", status: reason == nil ? .ok : .serviceUnavailable))
        case "/metrics" where isRead:
            var response = text(server.metrics.prometheusText(), status: .ok)
            response.headers.replaceOrAdd(name: "content-type", value: "text/plain; version=0.0.4; charset=utf-8")
            state = .discarding(response)
        case "/c.js" where isRead:
            state = .discarding(fileResponse(server.files.snippet, head: head, path: path))
        default:
            if isRead, let file = server.files.demoFile(path: path) {
                state = .discarding(fileResponse(file, head: head, path: path))
            } else {
                state = .discarding(errorResponse(.notFound(path: path), cors: [:]))
            }
        }
    }

    // MARK: POST /v1/events

    private func startPost(_ head: HTTPRequestHead, target: RequestTarget, context: ChannelHandlerContext) {
        let accepted: HandshakePolicy.Accepted
        switch server.policy.evaluate(target: target, headers: head.headers, webSocket: false) {
        case .failure(let error):
            if let reason = error.refusalReason { server.metrics.countRefusal(reason) }
            state = .discarding(errorResponse(error, cors: [:]))
            return
        case .success(let value):
            accepted = value
        }
        let cors = HTTPIngestHandler.corsHeaders(origin: head.headers.first(name: "origin"))
        if let type = head.headers.first(name: "content-type") {
            let media = type.split(separator: ";", maxSplits: 1).first.map { $0.trimmingCharacters(in: " \t").lowercased() } ?? ""
            guard media == "text/plain" || media == "application/json" else {
                state = .discarding(errorResponse(.unsupportedMediaType(type), cors: cors))
                return
            }
        }
        let limit = server.limits.events.maxMessageBytes
        if let length = head.headers.first(name: "content-length").flatMap({ Int($0) }), length > limit {
            server.metrics.countLimitHit("message_bytes")
            var response = errorResponse(.messageTooLarge(limit: limit), cors: cors)
            response.close = true
            send(response, head: head, context: context)
            return
        }
        let session = ConnectionSession(
            site: accepted.site, headers: head.headers, peer: context.channel.remoteAddress?.ipAddress,
            ipMode: server.configuration.ipMode, proxies: server.configuration.trustedProxies)
        state = .receiving(Post(head: head, session: session, cors: cors, body: context.channel.allocator.buffer(capacity: 0)))
    }

    private func ingest(_ post: Post, context: ChannelHandlerContext) {
        let shardState = shard.state
        var queue = AckQueue()
        var ack: Ack?
        let outcome = post.body.withUnsafeReadableBytes { bytes in
            shardState.ingest(bytes, enrichment: post.session.enrichment(receivedAt: Clock.microseconds()), transport: .http, member: self) { outcome in
                ack = Ack(outcome, queue: &queue)
                return 0
            }
        }
        guard let ack else {
            if case .tooLarge = outcome {
                var response = errorResponse(.messageTooLarge(limit: server.limits.events.maxMessageBytes), cors: post.cors)
                response.close = true
                state = .idle
                send(response, head: post.head, context: context)
            }
            return
        }
        var post = post
        post.body = context.channel.allocator.buffer(capacity: 0)
        state = .awaitingDurable(post, ack, durable: false)
        if !shardState.mayRead && !gate.isHeld(for: .writerBehind) {
            gate.hold(.writerBehind)
            shardState.waitForResume(self)
        }
    }

    /// The CORS headers of an answer to an allowed cross-origin request: the origin itself
    /// (not `*`, since beacons are sent with credentials), and `Vary` for caches.
    static func corsHeaders(origin: String?) -> HTTPHeaders {
        guard let origin else { return [:] }
        return [
            "access-control-allow-origin": origin,
            "access-control-allow-credentials": "true",
            "vary": "Origin",
        ]
    }

    private func preflight(_ head: HTTPRequestHead, target: RequestTarget) -> Response {
        switch server.policy.evaluate(target: target, headers: head.headers, webSocket: false) {
        case .failure(let error):
            if let reason = error.refusalReason { server.metrics.countRefusal(reason) }
            return errorResponse(error, cors: [:])
        case .success:
            var headers = HTTPIngestHandler.corsHeaders(origin: head.headers.first(name: "origin"))
            headers.add(name: "access-control-allow-methods", value: "POST")
            headers.add(name: "access-control-allow-headers", value: "Content-Type")
            headers.add(name: "access-control-max-age", value: "86400")
            headers.add(name: "allow", value: "POST, OPTIONS")
            return Response(status: .noContent, headers: headers)
        }
    }

    // MARK: Other routes

    /// A request to a WebSocket path that did not upgrade: why (401, 403, 400 for the
    /// subprotocol or a broken handshake), or 426 when it did not ask to upgrade.
    private func refusedUpgrade(_ head: HTTPRequestHead, target: RequestTarget, echo: Bool) -> Response {
        guard head.headers.contains(name: "upgrade") else {
            var response = errorResponse(.badRequest("this is a WebSocket endpoint: connect with ws:// or wss://"), cors: [:])
            response.status = .upgradeRequired
            response.headers.add(name: "upgrade", value: "websocket")
            return response
        }
        if !echo, case .failure(let error) = server.policy.evaluate(target: target, headers: head.headers, webSocket: true) {
            if let reason = error.refusalReason { server.metrics.countRefusal(reason) }
            return errorResponse(error, cors: [:])
        }
        if server.shuttingDown.load(ordering: .relaxed) { return errorResponse(.shuttingDown, cors: [:]) }
        return errorResponse(.badRequest("invalid WebSocket handshake: send Upgrade: websocket, Connection: Upgrade, Sec-WebSocket-Key and Sec-WebSocket-Version: 13"), cors: [:])
    }

    private func fileResponse(_ file: StaticFiles.File?, head: HTTPRequestHead, path: String) -> Response {
        guard let file else { return errorResponse(.notFound(path: path), cors: [:]) }
        var headers: HTTPHeaders = [
            "content-type": file.contentType,
            "cache-control": StaticFiles.cacheControl,
            "etag": file.etag,
        ]
        if head.headers["if-none-match"].contains(where: { $0.split(separator: ",").contains { $0.trimmingCharacters(in: " ") == file.etag } }) {
            return Response(status: .notModified, headers: headers)
        }
        headers.add(name: "x-content-type-options", value: "nosniff")
        return Response(status: .ok, headers: headers, body: file.body)
    }

    private func text(_ body: String, status: HTTPResponseStatus) -> Response {
        var buffer = context!.channel.allocator.buffer(capacity: body.utf8.count)
        buffer.writeString(body)
        return Response(status: status, headers: ["content-type": "text/plain; charset=utf-8", "cache-control": "no-store"], body: buffer)
    }

    /// The one shape of error answers: the error's status and `{"error": "..."}`.
    private func errorResponse(_ error: IngestError, cors: HTTPHeaders) -> Response {
        var buffer = ByteBuffer()
        buffer.writeStaticString("{\"error\": ")
        buffer.writeJSONString(error.description)
        buffer.writeStaticString("}")
        var headers = cors
        headers.add(name: "content-type", value: "application/json")
        if error.code == .tooManyConnections || error.code == .shuttingDown || error.code == .storageUnavailable {
            headers.add(name: "retry-after", value: "5")
        }
        return Response(status: HTTPResponseStatus(statusCode: error.httpStatus), headers: headers, body: buffer)
    }

    // MARK: Sending

    private func send(_ response: Response, head: HTTPRequestHead?, context: ChannelHandlerContext) {
        var headers = response.headers
        let close = response.close || !keepAlive || shuttingDown
        if close { headers.replaceOrAdd(name: "connection", value: "close") }
        headers.replaceOrAdd(name: "content-length", value: String(response.body?.readableBytes ?? 0))
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: response.status, headers: headers))), promise: nil)
        if let body = response.body, body.readableBytes > 0 {
            context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        }
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if close {
            done.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        // The upgrader reports a refused upgrade here just before it hands us the request,
        // which we answer with the reason; anything else ends the connection.
        if error is NIOWebSocketUpgradeError { return }
        server.logger.debug("HTTP connection error", metadata: ["error": "\(error)"])
        context.close(promise: nil)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard let idle = event as? IdleStateHandler.IdleStateEvent, idle == .read else {
            return context.fireUserInboundEventTriggered(event)
        }
        // An idle keep-alive connection (or a request that stalls) is closed; one waiting for
        // its events to be durable is not idle by its own doing.
        if case .awaitingDurable = state { return }
        context.close(promise: nil)
    }

    // MARK: Outbound

    func read(context: ChannelHandlerContext) {
        if gate.read() { context.read() }
    }

    // MARK: ShardMember

    func messageDurable(ticket: Int, duplicates: Int) {
        guard case .awaitingDurable(let post, var ack, _) = state else { return }
        ack.reclassifyDuplicates(duplicates)
        state = .awaitingDurable(post, ack, durable: true)
    }

    func sendReadyAcks() {
        guard let context, case .awaitingDurable(let post, let ack, true) = state else { return }
        state = .idle
        var body = context.channel.allocator.buffer(capacity: ack.estimatedBytes)
        ack.write(to: &body)
        var headers = post.cors
        headers.add(name: "content-type", value: "application/json")
        server.metrics.acksSent.add(1)
        send(Response(status: ack.isError ? .badRequest : .ok, headers: headers, body: body), head: post.head, context: context)
    }

    func resumeReading() {
        if gate.release(.writerBehind) { context?.read() }
    }

    func beginShutdown() {
        shuttingDown = true
        guard let context else { return }
        if case .idle = state { context.close(promise: nil) }
    }

    func forceClose() {
        context?.close(promise: nil)
    }
}
