import Foundation

/// What `clicklog load` prints: a few human lines, or with `--json` one JSON object (the
/// figures of `tools/ingest-bench.sh`). Rates count acks inside the measured window; MB are
/// 10^6 bytes of message payload (JSON text, without WebSocket framing).
struct LoadReport: Codable, Sendable {
    struct Latency: Codable, Sendable {
        var p50: Double
        var p90: Double
        var p99: Double
        var p999: Double
        var max: Double
        var mean: Double
        var samples: UInt64
    }

    struct Verification: Codable, Sendable {
        var ok: Bool
        var messagesSent: Int
        var messagesAcked: Int
        var eventsSent: Int
        var accepted: Int
        var duplicates: Int
        var rejected: Int
        var unacked: Int
        var mismatches: Int
        var examples: [String]
        var firstRejection: String?
        /// Why `ok` is false, one line each.
        var problems: [String]
    }

    var target: String
    var connections: Int
    var batch: Int
    var framing: String
    var window: Int
    /// Target events/s, or nil when flat out.
    var targetRate: Double?
    var warmupSeconds: Double
    var seconds: Double
    var eventsPerSecond: Double
    var messagesPerSecond: Double
    var megabytesPerSecond: Double
    /// Events/s the generator sent in the measured window (paced runs: compare with the target).
    var sentEventsPerSecond: Double
    var lateSends: Int
    var neverSent: Int
    /// Ack latency in milliseconds: from the send (flat out) or the planned send (paced).
    var latencyMs: Latency
    var verification: Verification
    var buildSeconds: Double

    init(plan: LoadPlan, outcome: LoadRun.Outcome, allowDuplicates: Bool, allowRejected: Bool) {
        let tally = outcome.tally
        let seconds = outcome.measuredSeconds
        target = plan.target.description
        connections = plan.connections
        batch = plan.batch
        framing = plan.framing == .batch ? "batch" : "bare"
        window = plan.window
        targetRate = plan.rate
        warmupSeconds = plan.warmup
        self.seconds = seconds
        eventsPerSecond = Double(tally.eventsMeasured) / seconds
        messagesPerSecond = Double(tally.messagesMeasured) / seconds
        megabytesPerSecond = Double(tally.bytesMeasured) / 1e6 / seconds
        sentEventsPerSecond = Double(tally.messagesSentMeasured * plan.batch) / seconds
        lateSends = tally.lateSends
        neverSent = tally.neverSent
        let h = tally.latency
        let ms = { (micros: UInt64) in Double(micros) / 1000 }
        latencyMs = Latency(
            p50: ms(h.valueAtPercentile(50)), p90: ms(h.valueAtPercentile(90)),
            p99: ms(h.valueAtPercentile(99)), p999: ms(h.valueAtPercentile(99.9)),
            max: ms(h.max), mean: h.totalCount == 0 ? 0 : h.mean / 1000, samples: h.totalCount
        )
        var problems: [String] = []
        if tally.mismatches > 0 { problems.append("\(tally.mismatches) ack mismatch(es)") }
        if tally.duplicates > 0, !allowDuplicates {
            problems.append("\(tally.duplicates) event(s) acked as duplicates, but every id was new (--allow-duplicates to accept)")
        }
        if tally.rejected > 0, !allowRejected {
            problems.append("\(tally.rejected) event(s) rejected: \(tally.firstRejection ?? "?") (--allow-rejected to accept)")
        }
        if tally.messagesMeasured == 0 { problems.append("no ack arrived in the measured window") }
        verification = Verification(
            ok: problems.isEmpty, messagesSent: tally.messagesSent, messagesAcked: tally.messagesAcked,
            eventsSent: tally.eventsSent, accepted: tally.accepted, duplicates: tally.duplicates,
            rejected: tally.rejected, unacked: tally.unacked, mismatches: tally.mismatches,
            examples: tally.examples, firstRejection: tally.firstRejection, problems: problems
        )
        buildSeconds = outcome.buildSeconds
    }

    func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return String(decoding: (try? encoder.encode(self)) ?? Data("{}".utf8), as: UTF8.self)
    }

    func text() -> String {
        let mode = targetRate.map { "paced at \(Self.count($0)) events/s" } ?? "flat out"
        var lines = [
            "clicklog load → \(target): \(connections) connections × \(framing == "bare" ? "bare events" : "batches of \(batch)"), window \(window), \(mode), \(Self.fixed(seconds, 1)) s measured after \(Self.fixed(warmupSeconds, 1)) s warm-up",
            "throughput  \(Self.count(eventsPerSecond)) events/s   \(Self.fixed(megabytesPerSecond, 1)) MB/s   \(Self.count(messagesPerSecond)) messages/s",
            "ack latency p50 \(Self.millis(latencyMs.p50))   p99 \(Self.millis(latencyMs.p99))   p99.9 \(Self.millis(latencyMs.p999))   max \(Self.millis(latencyMs.max))   (\(latencyMs.samples) acks)",
        ]
        if targetRate != nil {
            var line = "schedule    sent \(Self.count(sentEventsPerSecond)) events/s"
            if lateSends > 0 || neverSent > 0 { line += "; \(lateSends) message(s) sent late, \(neverSent) never sent (window full)" }
            lines.append(line)
        }
        let v = verification
        lines.append("acks        \(v.messagesAcked) of \(v.messagesSent) messages; events sent \(v.eventsSent): accepted \(v.accepted), duplicates \(v.duplicates), rejected \(v.rejected)")
        if v.ok {
            lines.append("verify      ok: every message acked once, in order, with every event accounted for")
        } else {
            lines.append("verify      FAILED: " + v.problems.joined(separator: "; "))
            for example in v.examples { lines.append("            - \(example)") }
        }
        return lines.joined(separator: "\n")
    }

    private static func fixed(_ value: Double, _ digits: Int) -> String {
        String(format: "%.\(digits)f", value)
    }

    private static func millis(_ value: Double) -> String {
        value < 10 ? String(format: "%.2f ms", value) : String(format: "%.1f ms", value)
    }

    /// 1234567 → `1.23M`, 45678 → `45.7k`.
    private static func count(_ value: Double) -> String {
        switch value {
        case 1e6...: String(format: "%.2fM", value / 1e6)
        case 1e3...: String(format: "%.1fk", value / 1e3)
        default: String(format: "%.0f", value)
        }
    }
}
