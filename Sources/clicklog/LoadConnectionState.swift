import Histogram

/// What one load connection knows: its schedule, the messages in flight, and what the acks said.
/// A value type without I/O (`LoadConnectionHandler` does the sockets), so its rules can be
/// checked without a server.
///
/// The rules it checks for every ack, in order of arrival:
/// - it names the oldest unacked message (`seq` for a batch, the 1-based ordinal for a bare
///   event): acks come once each, in message order;
/// - `accepted + duplicates + rejected` equals the events that message carried;
/// - it has no `error` member.
/// Anything else is a mismatch, counted and kept (the first few) for the report.
struct LoadConnectionState {
    /// When messages go out.
    enum Schedule: Sendable, Equatable {
        /// As fast as the window allows.
        case flatOut
        /// One message every `interval` ns, starting `phase` ns after the start; latency is
        /// measured from each message's planned send time, so a server that falls behind pays
        /// for the queue it causes (no coordinated omission).
        case paced(interval: UInt64, phase: UInt64)
    }

    /// The clock, in ns of `NIODeadline.now()`, as the run plans it.
    struct Timeline: Sendable, Equatable {
        /// Sending starts.
        var start: UInt64
        /// Acks from here on count towards the figures (after the warm-up).
        var measureFrom: UInt64
        /// No message is sent from here on; acks after it only count for the verification.
        var measureUntil: UInt64
    }

    private struct InFlight {
        var seq: Int64
        /// The planned (paced) or actual (flat out) send time.
        var sentAt: UInt64
        var events: Int32
        var bytes: Int32
    }

    static let maxExamples = 5
    /// A paced send more than this far (ns) behind its plan counts as late: timers fire a few
    /// tens of µs after their deadline on a busy machine, which is not the server's doing.
    static let lateness: UInt64 = 1_000_000

    /// The connection's index in the run, for the report.
    let connection: Int
    let window: Int
    let schedule: Schedule
    private(set) var timeline: Timeline?

    private var ring: [InFlight]
    private var head = 0
    private(set) var inFlight = 0
    /// Messages sent so far; the next one's ordinal is `sent + 1`.
    private(set) var sent = 0
    private(set) var stopped = false

    private(set) var tally = LoadTally()

    init(connection: Int = 0, window: Int, schedule: Schedule) {
        precondition(window > 0)
        self.connection = connection
        self.window = window
        self.schedule = schedule
        ring = Array(repeating: InFlight(seq: 0, sentAt: 0, events: 0, bytes: 0), count: window)
    }

    var isFinished: Bool { stopped && inFlight == 0 }

    mutating func start(_ timeline: Timeline) {
        self.timeline = timeline
    }

    /// How many messages may go out at `now`, and the planned send time of the first
    /// (the next ones follow at the schedule's interval). Zero once stopped or the window is full.
    func sendable(now: UInt64) -> Int {
        guard let timeline, !stopped, now >= timeline.start, now < timeline.measureUntil else { return 0 }
        let room = window - inFlight
        guard room > 0 else { return 0 }
        switch schedule {
        case .flatOut:
            return room
        case .paced(let interval, let phase):
            let first = timeline.start + phase
            guard now >= first else { return 0 }
            let due = Int((now - first) / interval) + 1 - sent
            return max(0, min(room, due))
        }
    }

    /// When message number `index` (0-based) is planned to go out: `now` for flat out.
    func plannedSendTime(index: Int, now: UInt64) -> UInt64 {
        switch schedule {
        case .flatOut:
            return now
        case .paced(let interval, let phase):
            return (timeline?.start ?? 0) + phase + UInt64(index) * interval
        }
    }

    /// The next time a paced connection has something to send, if its window has room then;
    /// `nil` when flat out, stopped, or waiting for acks.
    func nextWakeUp() -> UInt64? {
        guard case .paced = schedule, let timeline, !stopped, inFlight < window else { return nil }
        let next = plannedSendTime(index: sent, now: 0)
        return next < timeline.measureUntil ? next : nil
    }

    /// Records that the next message went out; returns its `seq` (or ordinal).
    mutating func didSend(events: Int, bytes: Int, now: UInt64) -> Int64 {
        precondition(inFlight < window)
        let seq = Int64(sent + 1)
        let plannedAt = plannedSendTime(index: sent, now: now)
        ring[(head + inFlight) % window] = InFlight(
            seq: seq, sentAt: plannedAt, events: Int32(events), bytes: Int32(bytes)
        )
        inFlight += 1
        sent += 1
        tally.messagesSent += 1
        tally.eventsSent += events
        if let timeline, now >= timeline.measureFrom { tally.messagesSentMeasured += 1 }
        if case .paced = schedule, now > plannedAt + Self.lateness { tally.lateSends += 1 }
        return seq
    }

    /// Checks one ack against the oldest message in flight and counts it.
    mutating func didReceive(_ ack: LoadAck?, raw: @autoclosure () -> String, now: UInt64) {
        guard let ack, let seq = ack.ack else {
            mismatch("unreadable ack: \(raw())")
            return
        }
        guard inFlight > 0 else {
            mismatch("ack \(seq) with no message in flight (acked twice, or never sent)")
            return
        }
        var entry = ring[head]
        if entry.seq == seq {
            head = (head + 1) % window
            inFlight -= 1
        } else if let position = (0..<inFlight).first(where: { ring[(head + $0) % window].seq == seq }) {
            mismatch("ack \(seq) arrived before the ack of \(entry.seq): out of order")
            entry = ring[(head + position) % window]
            // Close the gap so the remaining messages stay in order.
            for step in stride(from: position, to: inFlight - 1, by: 1) {
                ring[(head + step) % window] = ring[(head + step + 1) % window]
            }
            inFlight -= 1
        } else {
            mismatch("ack \(seq) matches no message in flight (oldest unacked is \(entry.seq)): duplicate or unknown")
            return
        }
        tally.messagesAcked += 1
        tally.accepted += ack.accepted
        tally.duplicates += ack.duplicates
        tally.rejected += ack.rejected
        if ack.rejected > 0, tally.firstRejection == nil { tally.firstRejection = ack.error }
        if ack.events != Int(entry.events) {
            mismatch("ack \(seq): accepted \(ack.accepted) + duplicates \(ack.duplicates) + rejected \(ack.rejected) = \(ack.events), but the message had \(entry.events) events")
        } else if ack.rejected == 0, let error = ack.error {
            mismatch("ack \(seq) reports an error: \(error)")
        }
        if let timeline, now >= timeline.measureFrom, now < timeline.measureUntil {
            tally.messagesMeasured += 1
            tally.eventsMeasured += ack.events
            tally.bytesMeasured += Int(entry.bytes)
            let micros = now > entry.sentAt ? (now - entry.sentAt) / 1000 : 0
            tally.latency.record(max(micros, 1))
        }
    }

    /// No more messages go out (the run's end or the connection's).
    mutating func stop() {
        guard !stopped else { return }
        stopped = true
        if case .paced(let interval, let phase) = schedule, let timeline {
            let first = timeline.start + phase
            if timeline.measureUntil > first {
                let planned = Int((timeline.measureUntil - 1 - first) / interval) + 1
                tally.neverSent += max(0, planned - sent)
            }
        }
    }

    /// The connection is gone: whatever is still in flight will never be acked.
    mutating func connectionClosed(reason: String) {
        stop()
        if inFlight > 0 {
            mismatch("\(inFlight) message(s) never acked: \(reason)")
            tally.unacked += inFlight
            inFlight = 0
        }
    }

    mutating func mismatch(_ text: String) {
        tally.mismatches += 1
        if tally.examples.count < Self.maxExamples { tally.examples.append("connection \(connection): \(text)") }
    }
}

/// Counts of one connection or, summed, of the run.
struct LoadTally: Sendable {
    var messagesSent = 0
    var eventsSent = 0
    var messagesAcked = 0
    var accepted = 0
    var duplicates = 0
    var rejected = 0
    var unacked = 0
    /// Paced sends that went out more than 1 ms after their planned time (window full or loop busy).
    var lateSends = 0
    /// Paced messages planned before the end that never went out (the window stayed full).
    var neverSent = 0
    var messagesSentMeasured = 0
    /// Acks inside the measured window, and what their messages carried.
    var messagesMeasured = 0
    var eventsMeasured = 0
    var bytesMeasured = 0
    /// Ack latency in µs, acks inside the measured window only.
    var latency = LoadTally.emptyHistogram()
    var mismatches = 0
    var examples: [String] = []
    var firstRejection: String?

    static func emptyHistogram() -> Histogram<UInt64> {
        var histogram = Histogram<UInt64>(highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: .three)
        histogram.autoResize = true
        return histogram
    }

    mutating func add(_ other: LoadTally) {
        messagesSent += other.messagesSent
        eventsSent += other.eventsSent
        messagesAcked += other.messagesAcked
        accepted += other.accepted
        duplicates += other.duplicates
        rejected += other.rejected
        unacked += other.unacked
        lateSends += other.lateSends
        neverSent += other.neverSent
        messagesSentMeasured += other.messagesSentMeasured
        messagesMeasured += other.messagesMeasured
        eventsMeasured += other.eventsMeasured
        bytesMeasured += other.bytesMeasured
        latency.add(other.latency)
        mismatches += other.mismatches
        for example in other.examples where examples.count < 10 { examples.append(example) }
        if firstRejection == nil { firstRejection = other.firstRejection }
    }
}
