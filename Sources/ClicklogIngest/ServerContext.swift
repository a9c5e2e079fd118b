import Logging
import Synchronization

/// What every connection of a running server shares: settings, the handshake policy, the
/// static files, the metrics and whether the server is stopping.
final class ServerContext: Sendable {
    let configuration: ServerConfiguration
    let policy: HandshakePolicy
    let files: StaticFiles
    let metrics: IngestMetrics
    let logger: Logger
    let shuttingDown = Atomic<Bool>(false)

    init(configuration: ServerConfiguration, files: StaticFiles, metrics: IngestMetrics, logger: Logger) {
        self.configuration = configuration
        policy = HandshakePolicy(sites: configuration.sites)
        self.files = files
        self.metrics = metrics
        self.logger = logger
    }

    var limits: ServerConfiguration.Limits { configuration.limits }

    /// `nil` while the server accepts and can persist events; otherwise why not (for `/healthz`).
    var unhealthyReason: String? {
        if shuttingDown.load(ordering: .relaxed) { return "shutting down" }
        if !metrics.storageHealthy.load(ordering: .relaxed) {
            return "cannot store events: " + (metrics.storageError.withLock { $0 } ?? "unknown error")
        }
        return nil
    }
}
