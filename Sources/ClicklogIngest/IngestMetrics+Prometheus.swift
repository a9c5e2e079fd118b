import Synchronization

extension IngestMetrics {
    /// The Prometheus text exposition format (version 0.0.4), written by hand: a few dozen
    /// lines, one scrape every few seconds, no client library needed.
    func prometheusText() -> String {
        var out = ""
        func metric(_ name: String, _ type: String, _ help: String, _ samples: [(labels: String, value: String)]) {
            out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
            for sample in samples {
                out += sample.labels.isEmpty ? "\(name) \(sample.value)\n" : "\(name){\(sample.labels)} \(sample.value)\n"
            }
        }
        func value(_ atomic: borrowing Atomic<Int>) -> String { String(atomic.load(ordering: .relaxed)) }

        metric("clicklog_connections", "gauge", "Open connections.", [
            ("transport=\"websocket\"", value(webSocketConnections)),
            ("transport=\"http\"", String(openConnections.load(ordering: .relaxed) - webSocketConnections.load(ordering: .relaxed))),
        ])
        metric("clicklog_connections_total", "counter", "Connections accepted.", [("", value(connectionsTotal))])
        metric("clicklog_messages_total", "counter", "Messages received.", [
            ("transport=\"websocket\"", value(webSocketMessages)),
            ("transport=\"http\"", value(httpMessages)),
        ])
        metric("clicklog_messages_compressed_total", "counter", "WebSocket messages that arrived compressed (permessage-deflate).", [("", value(compressedMessages))])
        metric("clicklog_messages_malformed_total", "counter", "Messages refused as a whole (not JSON, not a message, too many events); kept in quarantine.", [("", value(malformedMessages))])
        metric("clicklog_events_total", "counter", "Events by outcome.", [
            ("outcome=\"accepted\"", value(eventsAccepted)),
            ("outcome=\"rejected\"", value(eventsRejected)),
            ("outcome=\"duplicate\"", value(eventsDuplicate)),
        ])
        metric("clicklog_received_bytes_total", "counter", "Message bytes received.", [("", value(receivedBytes))])
        metric("clicklog_acks_total", "counter", "Acks sent.", [("", value(acksSent))])
        metric("clicklog_writer_queue_events", "gauge", "Events parsed and waiting to be durable.", [("", value(queuedEvents))])
        metric("clicklog_writer_queue_bytes", "gauge", "Message bytes waiting to be durable.", [("", value(queuedBytes))])
        metric("clicklog_paused_connections", "gauge", "Connections not being read because the writer is behind or the client does not read its acks.", [("", value(pausedConnections))])
        metric("clicklog_blocks_total", "counter", "Blocks written to the log.", [("", value(blocksWritten))])
        metric("clicklog_storage_failures_total", "counter", "Failed writes, fsyncs or reopenings of the log.", [("", value(storageFailures))])
        metric("clicklog_storage_healthy", "gauge", "1 while the log accepts writes.", [("", storageHealthy.load(ordering: .relaxed) ? "1" : "0")])
        metric("clicklog_deduplication_ids", "gauge", "Event ids remembered for deduplication.", [("", value(deduplicationIDs))])
        let limits = limitHits.withLock { $0 }
        let limitKinds = ["message_bytes", "events_per_message", "binary_frame", "invalid_utf8", "invalid_compressed_data", "protocol_violation", "connections", "idle_timeout", "header_bytes"]
        metric("clicklog_limit_hits_total", "counter", "Requests, messages or connections refused for hitting a limit.",
               (limitKinds + limits.keys.filter { !limitKinds.contains($0) }.sorted()).map { ("kind=\"\($0)\"", String(limits[$0] ?? 0)) })
        let refused = refusals.withLock { $0 }
        metric("clicklog_handshake_refusals_total", "counter", "Upgrades and POSTs refused before any event was read.",
               ["site", "origin", "subprotocol"].map { ("reason=\"\($0)\"", String(refused[$0] ?? 0)) })
        histogram(&out, "clicklog_message_events", "Events per message received (the clients' batch sizes).", messageEvents.withLock { $0 })
        histogram(&out, "clicklog_block_events", "Events per block written.", blockEvents.withLock { $0 })
        histogram(&out, "clicklog_commit_seconds", "Time to write and fsync one block.", commitSeconds.withLock { $0 })
        return out
    }

    private func histogram(_ out: inout String, _ name: String, _ help: String, _ h: Histogram) {
        out += "# HELP \(name) \(help)\n# TYPE \(name) histogram\n"
        for (bound, count) in zip(h.bounds, h.cumulative) {
            out += "\(name)_bucket{le=\"\(format(bound))\"} \(count)\n"
        }
        out += "\(name)_bucket{le=\"+Inf\"} \(h.count)\n\(name)_sum \(format(h.sum))\n\(name)_count \(h.count)\n"
    }

    private func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}
