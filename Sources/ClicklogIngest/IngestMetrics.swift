import Prometheus
import Synchronization

/// The server's metrics, exported at `/metrics` by swift-prometheus's registry
/// (`IngestMetrics+Prometheus.swift` lists their names).
///
/// Counters and histograms are the registry's own. Values the server also acts on (open
/// connections for the connection limit, the writer's queue for back-pressure, storage health
/// for `/healthz`) stay atomics here, read on every message, and are copied into their gauges
/// when `/metrics` is scraped. Event loops add their per-message counts once per hand-over to
/// the writer (not per message), so the shared counters are touched a few thousand times a
/// second, not millions. The one exception is the events-per-message histogram: the registry's
/// histograms take one value at a time, so it is recorded per message.
final class IngestMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()

    // State the server acts on, mirrored into gauges when scraped.
    let openConnections = Atomic<Int>(0)
    let webSocketConnections = Atomic<Int>(0)
    let queuedEvents = Atomic<Int>(0)
    let queuedBytes = Atomic<Int>(0)
    let pausedConnections = Atomic<Int>(0)
    let deduplicationIDs = Atomic<Int>(0)
    let deduplicationForgottenEarly = Atomic<Int>(0)
    let storageHealthy = Atomic<Bool>(true)
    /// The last storage failure while it lasts, for `/healthz`.
    let storageError = Mutex<String?>(nil)

    // Counters.
    let connectionsTotal: Counter
    let webSocketMessages: Counter
    let httpMessages: Counter
    /// WebSocket messages that arrived compressed (permessage-deflate).
    let compressedMessages: Counter
    let malformedMessages: Counter
    let eventsAccepted: Counter
    let eventsRejected: Counter
    let eventsDuplicate: Counter
    let receivedBytes: Counter
    let acksSent: Counter
    let blocksWritten: Counter
    let storageFailures: Counter
    /// Limit hits by kind (`IngestError.limitKind`, `MessageRefusal.limitKind`), made up front
    /// so that every kind shows, at zero, before it first happens.
    private let limitHits: [String: Counter]
    /// Handshakes refused, by reason (`IngestError.refusalReason`).
    private let refusals: [String: Counter]

    // Histograms.
    /// Events per message (the client's batch size), accepted or not.
    let messageEvents: ValueHistogram
    /// Events per block written.
    let blockEvents: ValueHistogram
    /// Seconds from the start of a block's append to the end of its fsync.
    let commitSeconds: ValueHistogram

    // Gauges, set from the state above at each scrape.
    let connectionGauges: (webSocket: Gauge, http: Gauge)
    let queueEventsGauge: Gauge
    let queueBytesGauge: Gauge
    let pausedGauge: Gauge
    let healthyGauge: Gauge
    let deduplicationGauge: Gauge
    let forgottenEarlyGauge: Gauge

    static let limitKinds = [
        "message_bytes", "events_per_message", "binary_frame", "invalid_utf8", "invalid_compressed_data",
        "protocol_violation", "connections", "idle_timeout", "header_bytes",
    ]
    static let refusalReasons = ["site", "origin", "subprotocol"]

    init() {
        let r = registry
        connectionsTotal = r.makeCounter(descriptor: Self.name("connections_total", "Connections accepted."))
        let messages = "Messages received."
        webSocketMessages = r.makeCounter(descriptor: Self.name("messages_total", messages), labels: [("transport", "websocket")])
        httpMessages = r.makeCounter(descriptor: Self.name("messages_total", messages), labels: [("transport", "http")])
        compressedMessages = r.makeCounter(
            descriptor: Self.name("messages_compressed_total", "WebSocket messages that arrived compressed (permessage-deflate)."))
        malformedMessages = r.makeCounter(descriptor: Self.name(
            "messages_malformed_total", "Messages refused as a whole (not JSON, not a message, too many events); kept in quarantine."))
        let events = "Events by outcome."
        eventsAccepted = r.makeCounter(descriptor: Self.name("events_total", events), labels: [("outcome", "accepted")])
        eventsRejected = r.makeCounter(descriptor: Self.name("events_total", events), labels: [("outcome", "rejected")])
        eventsDuplicate = r.makeCounter(descriptor: Self.name("events_total", events), labels: [("outcome", "duplicate")])
        receivedBytes = r.makeCounter(descriptor: Self.name("received_bytes_total", "Message bytes received."))
        acksSent = r.makeCounter(descriptor: Self.name("acks_total", "Acks sent."))
        blocksWritten = r.makeCounter(descriptor: Self.name("blocks_total", "Blocks written to the log."))
        storageFailures = r.makeCounter(descriptor: Self.name("storage_failures_total", "Failed writes, fsyncs or reopenings of the log."))
        limitHits = Dictionary(uniqueKeysWithValues: Self.limitKinds.map {
            ($0, r.makeCounter(descriptor: Self.limitHitsName, labels: [("kind", $0)]))
        })
        let refused = "Upgrades and POSTs refused before any event was read."
        refusals = Dictionary(uniqueKeysWithValues: Self.refusalReasons.map {
            ($0, r.makeCounter(descriptor: Self.name("handshake_refusals_total", refused), labels: [("reason", $0)]))
        })

        messageEvents = r.makeValueHistogram(
            descriptor: Self.name("message_events", "Events per message received (the clients' batch sizes)."),
            buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000])
        blockEvents = r.makeValueHistogram(
            descriptor: Self.name("block_events", "Events per block written."), buckets: [1, 10, 100, 1000, 4096, 16384, 65536, 262_144])
        commitSeconds = r.makeValueHistogram(
            descriptor: Self.name("commit_seconds", "Time to write and fsync one block."),
            buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5])

        let open = "Open connections."
        connectionGauges = (
            r.makeGauge(descriptor: Self.name("connections", open), labels: [("transport", "websocket")]),
            r.makeGauge(descriptor: Self.name("connections", open), labels: [("transport", "http")])
        )
        queueEventsGauge = r.makeGauge(descriptor: Self.name("writer_queue_events", "Events parsed and waiting to be durable."))
        queueBytesGauge = r.makeGauge(descriptor: Self.name("writer_queue_bytes", "Message bytes waiting to be durable."))
        pausedGauge = r.makeGauge(descriptor: Self.name(
            "paused_connections", "Connections not being read because the writer is behind or the client does not read its acks."))
        healthyGauge = r.makeGauge(descriptor: Self.name("storage_healthy", "1 while the log accepts writes."))
        deduplicationGauge = r.makeGauge(descriptor: Self.name("deduplication_ids", "Event ids remembered for deduplication."))
        forgottenEarlyGauge = r.makeGauge(descriptor: Self.name(
            "deduplication_forgotten_early",
            "Event ids forgotten before their window ended since the start, because the window holds deduplication.max_ids at most."))
    }

    private static var limitHitsName: MetricNameDescriptor {
        name("limit_hits_total", "Requests, messages or connections refused for hitting a limit.")
    }

    /// A metric of the server's namespace: `clicklog_` and `metric`, with its help text.
    private static func name(_ metric: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "clicklog", metricName: metric, unitName: "", helpText: help)
    }

    func countLimitHit(_ kind: String) {
        if let counter = limitHits[kind] {
            counter.increment()
        } else {
            // A kind without its own entry above: the registry makes (or finds) its counter.
            registry.makeCounter(descriptor: Self.limitHitsName, labels: [("kind", kind)]).increment()
        }
    }

    func countRefusal(_ reason: String) {
        refusals[reason]?.increment()
    }
}

extension Counter {
    /// Adds a count the server keeps as `Int`.
    func add(_ count: Int) {
        if count != 0 { increment(by: Int64(count)) }
    }
}
