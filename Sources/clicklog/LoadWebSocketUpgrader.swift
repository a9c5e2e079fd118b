import NIOCore
import NIOHTTP1
import NIOWebSocket

/// The client side of the WebSocket upgrade, leaving the pipeline to bytes.
///
/// NIO's `NIOTypedWebSocketClientUpgrader` installs a `WebSocketFrameEncoder` (which cannot be
/// removed and accepts only `WebSocketFrame`s) and a frame decoder; the load generator writes
/// complete, pre-masked frames as bytes (`LoadMessage`) and reads frames itself
/// (`LoadFrameReader`). So this upgrader borrows NIO's for the handshake only (the
/// `Sec-WebSocket-Key` it sends and the `Sec-WebSocket-Accept` it checks) and hands the channel
/// to `pipeline` as it is.
struct LoadWebSocketUpgrader<UpgradeResult: Sendable>: NIOTypedHTTPClientProtocolUpgrader {
    let supportedProtocol = "websocket"
    let requiredUpgradeHeaders: [String] = []

    private let handshake: NIOTypedWebSocketClientUpgrader<UpgradeResult>
    private let pipeline: @Sendable (any Channel, HTTPResponseHead) -> EventLoopFuture<UpgradeResult>

    init(pipeline: @escaping @Sendable (any Channel, HTTPResponseHead) -> EventLoopFuture<UpgradeResult>) {
        handshake = NIOTypedWebSocketClientUpgrader(upgradePipelineHandler: pipeline)
        self.pipeline = pipeline
    }

    func addCustom(upgradeRequestHeaders: inout HTTPHeaders) {
        handshake.addCustom(upgradeRequestHeaders: &upgradeRequestHeaders)
    }

    func shouldAllowUpgrade(upgradeResponse: HTTPResponseHead) -> Bool {
        handshake.shouldAllowUpgrade(upgradeResponse: upgradeResponse)
    }

    func upgrade(channel: any Channel, upgradeResponse: HTTPResponseHead) -> EventLoopFuture<UpgradeResult> {
        pipeline(channel, upgradeResponse)
    }
}
