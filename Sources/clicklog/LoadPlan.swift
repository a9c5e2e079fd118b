/// Everything one `clicklog load` run does, decided before it starts.
struct LoadPlan: Sendable {
    var target: LoadTarget
    /// The `Origin` header, or none.
    var origin: String?
    /// The subprotocol offered and required back, or none.
    var subprotocol: String?
    var connections: Int
    /// Events per message.
    var batch: Int
    var framing: LoadMessageBuilder.Framing
    /// Unacked messages allowed per connection.
    var window: Int
    /// Target events per second over all connections; `nil` sends flat out.
    var rate: Double?
    /// Seconds of sending that count, after `warmup` seconds that do not.
    var duration: Double
    var warmup: Double
    /// Seconds to wait for the last acks after the end before calling them lost.
    var drainTimeout: Double
    /// Event-loop threads of the generator.
    var threads: Int
    /// Seed of the traffic generator.
    var seed: UInt64

    /// Distinct messages built per connection: at least the window (a message is reused only
    /// after its ack), and at least 1,024 events' worth so that small messages still vary.
    var messagesPerConnection: Int {
        max(window, (1024 + batch - 1) / batch)
    }

    /// The schedule of connection `index`: flat out, or paced with the connections' start times
    /// spread evenly over one interval so their messages interleave.
    func schedule(connection index: Int) -> LoadConnectionState.Schedule {
        guard let rate else { return .flatOut }
        let interval = max(1, UInt64((1e9 * Double(connections * batch) / rate).rounded()))
        return .paced(interval: interval, phase: interval * UInt64(index) / UInt64(connections))
    }
}
