import Synchronization

/// The server's counters, gauges and histograms, exported at `/metrics`
/// (`IngestMetrics+Prometheus.swift`).
///
/// Event loops add their per-message counts once per hand-over to the writer (not per
/// message), so the shared atomics are touched a few thousand times a second, not millions.
final class IngestMetrics: Sendable {
    // Connections.
    let openConnections = Atomic<Int>(0)
    let webSocketConnections = Atomic<Int>(0)
    let connectionsTotal = Atomic<Int>(0)
    // Messages and events.
    let webSocketMessages = Atomic<Int>(0)
    /// WebSocket messages that arrived compressed (permessage-deflate).
    let compressedMessages = Atomic<Int>(0)
    let httpMessages = Atomic<Int>(0)
    let malformedMessages = Atomic<Int>(0)
    let eventsAccepted = Atomic<Int>(0)
    let eventsRejected = Atomic<Int>(0)
    let eventsDuplicate = Atomic<Int>(0)
    let receivedBytes = Atomic<Int>(0)
    let acksSent = Atomic<Int>(0)
    // The writer.
    let queuedEvents = Atomic<Int>(0)
    let queuedBytes = Atomic<Int>(0)
    let blocksWritten = Atomic<Int>(0)
    let storageFailures = Atomic<Int>(0)
    let storageHealthy = Atomic<Bool>(true)
    let deduplicationIDs = Atomic<Int>(0)
    let pausedConnections = Atomic<Int>(0)
    /// The last storage failure while it lasts, for `/healthz`.
    let storageError = Mutex<String?>(nil)

    /// Limit hits by kind (`IngestError.limitKind`, `MessageRefusal.limitKind`).
    let limitHits = Mutex<[String: Int]>([:])
    /// Handshakes refused, by reason (`IngestError.refusalReason`).
    let refusals = Mutex<[String: Int]>([:])
    /// Events per message (the client's batch size), accepted or not.
    let messageEvents = Mutex(Histogram.messageEvents)
    /// Events per block written.
    let blockEvents = Mutex(Histogram(bounds: [1, 10, 100, 1000, 4096, 16384, 65536, 262_144]))
    /// Seconds from the start of a block's append to the end of its fsync.
    let commitSeconds = Mutex(Histogram(bounds: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5]))

    init() {}

    func countLimitHit(_ kind: String) {
        limitHits.withLock { $0[kind, default: 0] += 1 }
    }

    func countRefusal(_ reason: String) {
        refusals.withLock { $0[reason, default: 0] += 1 }
    }
}

/// A Prometheus histogram: cumulative buckets by upper bound, sum and count.
struct Histogram: Sendable {
    let bounds: [Double]
    private(set) var counts: [Int]
    private(set) var sum = 0.0
    private(set) var count = 0

    init(bounds: [Double]) {
        self.bounds = bounds
        counts = Array(repeating: 0, count: bounds.count)
    }

    mutating func observe(_ value: Double) {
        if let i = bounds.firstIndex(where: { value <= $0 }) { counts[i] += 1 }
        sum += value
        count += 1
    }

    static let messageEvents = Histogram(bounds: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000])

    /// Adds the observations of `other` (same bounds).
    mutating func merge(_ other: Histogram) {
        for i in counts.indices { counts[i] += other.counts[i] }
        sum += other.sum
        count += other.count
    }

    mutating func reset() {
        for i in counts.indices { counts[i] = 0 }
        sum = 0
        count = 0
    }

    /// Cumulative counts per bound, as the text format wants them.
    var cumulative: [Int] {
        var running = 0
        return counts.map {
            running += $0
            return running
        }
    }
}
