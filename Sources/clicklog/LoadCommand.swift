import ArgumentParser
import Foundation

struct LoadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "load",
        abstract: "Drive a Clicklog server with generated traffic over many WebSocket connections; report throughput and ack latency.",
        discussion: """
            Builds every message before the clock starts (events from the traffic generator, each \
            with an id unique to this run), opens --connections connections, then sends for \
            --warmup + --duration seconds, flat out or at --rate events/s, keeping at most \
            --window unacked messages per connection. After the end it waits for every ack (at \
            most --drain-timeout seconds) and checks them: every message acked once and in \
            order, accepted + duplicates + rejected equal to the events it carried. Mismatches, \
            lost acks, duplicates and rejections make the exit status 1.

            Throughput counts the acks that arrive in the measured window; MB/s is message \
            payload (JSON text) in 10^6 bytes. Ack latency runs from the send to the ack; at a \
            --rate it runs from the planned send time, so a server that falls behind is charged \
            for the queue it causes.

            Examples:
              clicklog load --url ws://127.0.0.1:8080/v1/ws?site=demo
              clicklog load --batch 1 --bare --duration 5 --json
              clicklog load --rate 200000 --duration 10
            """
    )

    @Option(help: "The server's WebSocket URL (ws:// only).")
    var url = LoadTarget(host: "127.0.0.1", port: 8080, requestTarget: "/v1/ws?site=demo")

    @Option(help: "The Origin header: auto (http://localhost:PORT), none, or a value.")
    var origin = "auto"

    @Option(help: "The subprotocol to offer and require back, or none.")
    var subprotocol = "clicklog.v1"

    @Option(name: [.short, .long], help: "Concurrent connections.")
    var connections = 64

    @Option(name: [.short, .long], help: "Events per message (1–1000).")
    var batch = 50

    @Flag(help: "With --batch 1: send each event as a bare event object instead of a batch of one.")
    var bare = false

    @Option(help: "Most unacked messages per connection.")
    var window = 32

    @Option(help: "Target events per second over all connections (default: flat out).")
    var rate: Double?

    @Option(name: [.short, .long], help: "Seconds of measured sending (at most 3600).")
    var duration = 10.0

    @Option(help: "Seconds of sending before the measurement starts.")
    var warmup = 1.0

    @Option(help: "Seconds to wait for the last acks after the end.")
    var drainTimeout = 10.0

    @Option(help: "Event-loop threads of the load generator.")
    var threads = 1

    @Option(help: "Seed of the traffic generator.")
    var seed: UInt64 = 1

    @Flag(help: "Accept duplicates in acks (resending to a server that already has the events).")
    var allowDuplicates = false

    @Flag(help: "Accept rejected events in acks.")
    var allowRejected = false

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    func validate() throws {
        guard (1...10_000).contains(connections) else { throw ValidationError("--connections must be 1 to 10000") }
        guard (1...1000).contains(batch) else { throw ValidationError("--batch must be 1 to 1000 (the protocol's limit)") }
        guard !bare || batch == 1 else { throw ValidationError("--bare sends one event per message: use it with --batch 1") }
        guard (1...1024).contains(window) else { throw ValidationError("--window must be 1 to 1024") }
        if let rate { guard rate > 0, rate.isFinite else { throw ValidationError("--rate must be a positive number of events/s") } }
        guard duration > 0, duration <= 3600 else { throw ValidationError("--duration must be more than 0 and at most 3600 s") }
        guard warmup >= 0, warmup <= 600 else { throw ValidationError("--warmup must be 0 to 600 s") }
        guard drainTimeout > 0, drainTimeout <= 600 else { throw ValidationError("--drain-timeout must be more than 0 and at most 600 s") }
        guard (1...64).contains(threads) else { throw ValidationError("--threads must be 1 to 64") }
        guard !origin.isEmpty else { throw ValidationError("--origin must be auto, none or a value") }
    }

    var plan: LoadPlan {
        LoadPlan(
            target: url,
            origin: origin == "none" ? nil : origin == "auto" ? "http://localhost:\(url.port)" : origin,
            subprotocol: subprotocol == "none" ? nil : subprotocol,
            connections: connections, batch: batch, framing: bare ? .bare : .batch, window: window,
            rate: rate, duration: duration, warmup: warmup, drainTimeout: drainTimeout,
            threads: threads, seed: seed
        )
    }

    func run() throws {
        let plan = plan
        let outcome: LoadRun.Outcome
        do {
            outcome = try LoadRun(plan: plan).run()
        } catch let error as LoadError {
            throw CommandError(error.description)
        }
        let report = LoadReport(plan: plan, outcome: outcome, allowDuplicates: allowDuplicates, allowRejected: allowRejected)
        print(json ? report.json() : report.text())
        if !report.verification.ok { throw ExitCode.failure }
    }
}
