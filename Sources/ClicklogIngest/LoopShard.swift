import ClicklogEvents
import NIOCore

/// A connection as its event loop's shard sees it: somewhere to deliver "durable" and to
/// resume reading or start shutting down. Implemented by the WebSocket and HTTP handlers;
/// called on their event loop only.
protocol ShardMember: AnyObject {
    /// The message with this ticket is durable; `duplicates` of its events were already stored.
    func messageDurable(ticket: Int, duplicates: Int)
    /// Sends every ack that became ready (called once per completion, after `messageDurable`s).
    func sendReadyAcks()
    /// The writer caught up: read again if only back-pressure stopped the reading.
    func resumeReading()
    /// The server is shutting down: finish what was read, ack it, close.
    func beginShutdown()
    /// Closes at once (shutdown timed out).
    func forceClose()
    /// Used by the shard to visit each member once per completion.
    var completionRound: UInt64 { get set }
}

/// Everything one event loop owns: its `MessageParser`, the envelope it is filling for the
/// writer, the envelopes in the writer whose acks it waits for, and its connections.
///
/// Messages are parsed on the loop that read them, straight into the open envelope's columns.
/// The envelope is handed to the writer at the end of the loop's tick (so every message read
/// in one wakeup goes together) or earlier when it is large. `LoopShard` is the Sendable handle
/// the writer and the server use; the state itself is confined to the loop (`NIOLoopBound`).
struct LoopShard: Sendable {
    let index: Int
    let eventLoop: EventLoop
    private let bound: NIOLoopBound<ShardState>

    /// Creates the shard; call on `eventLoop`.
    init(index: Int, eventLoop: EventLoop, environment: ShardEnvironment) {
        self.index = index
        self.eventLoop = eventLoop
        bound = NIOLoopBound(ShardState(index: index, eventLoop: eventLoop, environment: environment), eventLoop: eventLoop)
    }

    /// The loop-confined state (on `eventLoop` only).
    var state: ShardState { bound.value }

    /// The writer made envelopes of this shard durable (from any thread).
    func completed(_ completions: [EnvelopeCompletion]) {
        let bound = self.bound
        eventLoop.execute { bound.value.completed(completions) }
    }

    /// The writer's queue went below the resume point (from any thread).
    func resume() {
        let bound = self.bound
        eventLoop.execute { bound.value.resume() }
    }

    /// Ships what is open and tells every connection to finish (from any thread).
    func beginShutdown() {
        let bound = self.bound
        eventLoop.execute { bound.value.beginShutdown() }
    }

    func forceClose() {
        let bound = self.bound
        eventLoop.execute { bound.value.forceClose() }
    }
}

/// What every shard shares: the writer, back-pressure, metrics, limits.
struct ShardEnvironment: Sendable {
    var writer: GroupCommitWriter
    var backPressure: BackPressure
    var metrics: IngestMetrics
    var limits: EventLimits
    /// Hand an envelope over once it holds this many events, without waiting for the tick's
    /// end, so one busy loop tick cannot build an envelope larger than a block.
    var maxEnvelopeEvents: Int
    var maxEnvelopeBytes: Int
}

/// How a message was received, for the metrics.
enum Transport { case webSocket, http }

/// What became of one message handed to `ShardState.ingest`.
enum IngestOutcome {
    /// Parsed: its valid events are in the envelope, its rejected ones in quarantine.
    case parsed(MessageSummary)
    /// Refused as a whole (not JSON, not a message, too many events): quarantined; answer
    /// with an error ack.
    case refused(MessageError)
    /// Over the size limit: not kept, not registered; close 1009 / answer 413.
    case tooLarge
    /// Not UTF-8 (only when the caller had not checked): not kept, not registered; close 1007.
    case invalidUTF8
}

/// The loop-confined state of a shard. Not Sendable: lives on its event loop.
final class ShardState {
    let index: Int
    private let environment: ShardEnvironment
    private var parser: MessageParser
    private var admitAll = AdmitAll()
    private var envelope: CommitEnvelope?
    private var envelopeMembers: [(member: ShardMember, ticket: Int)] = []
    private var nextEnvelopeID: UInt64 = 0
    /// Envelopes in the writer, oldest first, with the member and ticket of each message.
    private var inFlight = CircularBuffer<(id: UInt64, members: [(member: ShardMember, ticket: Int)])>()
    private var members: [ObjectIdentifier: ShardMember] = [:]
    private var waitingForResume: [ShardMember] = []
    private var completionRound: UInt64 = 0
    private(set) var isPaused = false
    private(set) var isShuttingDown = false
    // Counters added to the metrics at each hand-over.
    private var webSocketMessages = 0
    private var httpMessages = 0
    private var malformed = 0
    private var rejected = 0
    private var bytes = 0

    init(index: Int, eventLoop: EventLoop, environment: ShardEnvironment) {
        self.index = index
        self.eventLoop = eventLoop
        self.environment = environment
        parser = MessageParser(limits: environment.limits)
    }

    private let eventLoop: EventLoop

    /// A Sendable handle on this state for tasks scheduled on its loop.
    private var loopBound: NIOLoopBound<ShardState> { NIOLoopBound(self, eventLoop: eventLoop) }

    // MARK: Connections

    func register(_ member: ShardMember) {
        members[ObjectIdentifier(member)] = member
        if isShuttingDown { member.beginShutdown() }
    }

    func unregister(_ member: ShardMember) {
        members[ObjectIdentifier(member)] = nil
    }

    /// Whether connections may read (the writer is not behind).
    var mayRead: Bool { !isPaused }

    /// `member` stopped reading because of back-pressure; `resumeReading` is called when it ends.
    func waitForResume(_ member: ShardMember) {
        waitingForResume.append(member)
    }

    // MARK: Messages

    /// Parses one message into the open envelope. For every outcome but `.tooLarge` and
    /// `.invalidUTF8` the message is registered for an ack: `ticket` is called with the outcome
    /// and returns the ticket the member will recognise in `messageDurable`. With `utf8Checked`
    /// false, a message the parser refuses is checked for UTF-8 before it counts as malformed
    /// (the parser accepts only valid UTF-8, so an accepted message needs no check).
    func ingest(
        _ bytes: UnsafeRawBufferPointer, enrichment: Enrichment, transport: Transport, utf8Checked: Bool = true,
        member: ShardMember, ticket: (IngestOutcome) -> Int
    ) -> IngestOutcome {
        switch transport {
        case .webSocket: webSocketMessages += 1
        case .http: httpMessages += 1
        }
        self.bytes += bytes.count
        guard bytes.count <= environment.limits.maxMessageBytes else {
            environment.metrics.countLimitHit("message_bytes")
            return .tooLarge
        }
        if envelope == nil { openEnvelope() }
        let outcome: IngestOutcome
        do {
            let summary = try parser.parse(
                bytes, now: enrichment.receivedAt / 1000, enrichment: enrichment, into: &envelope!.batch, filter: &admitAll)
            for r in summary.rejections {
                envelope!.quarantine.append(QuarantineItem(
                    raw: Array(bytes[r.bytes]), reason: "site \(enrichment.site), event \(r.index): \(r)", time: enrichment.receivedAt))
            }
            rejected += summary.rejections.count
            // A lock taken per message: tens of nanoseconds against the microseconds of parsing.
            environment.metrics.messageEvents.record(Double(summary.events))
            outcome = .parsed(summary)
        } catch {
            if !utf8Checked && error.kind == .syntax && !UTF8Validator.isValid(bytes) {
                // Never a message: the connection closes with 1007, as for a bad fragment.
                switch transport {
                case .webSocket: webSocketMessages -= 1
                case .http: httpMessages -= 1
                }
                self.bytes -= bytes.count
                return .invalidUTF8
            }
            malformed += 1
            if let kind = MessageRefusal.limitKind(error) { environment.metrics.countLimitHit(kind) }
            envelope!.quarantine.append(QuarantineItem(
                raw: Array(bytes), reason: "site \(enrichment.site), message: \(error.description)", time: enrichment.receivedAt))
            outcome = .refused(error)
        }
        envelope!.messageRowEnds.append(envelope!.batch.count)
        envelope!.bytes += bytes.count
        envelopeMembers.append((member, ticket(outcome)))
        if envelope!.events >= environment.maxEnvelopeEvents || envelope!.bytes >= environment.maxEnvelopeBytes {
            ship()
        }
        return outcome
    }

    private func openEnvelope() {
        var batch = environment.writer.recycler.take()  // as the sealer left it: full
        batch.removeAll(keepingCapacity: true)
        envelope = CommitEnvelope(shard: index, id: nextEnvelopeID, batch: batch)
        nextEnvelopeID += 1
        // Hand over at the end of this tick: after every channel that was readable in this
        // wakeup has been read.
        let bound = loopBound
        eventLoop.execute { bound.value.ship() }
    }

    /// Hands the open envelope to the writer.
    func ship() {
        guard var envelope, !envelope.isEmpty else { return }
        self.envelope = nil
        envelope.seal()
        let metrics = environment.metrics
        metrics.webSocketMessages.add(webSocketMessages)
        metrics.httpMessages.add(httpMessages)
        metrics.malformedMessages.add(malformed)
        metrics.eventsRejected.add(rejected)
        metrics.receivedBytes.add(bytes)
        (webSocketMessages, httpMessages, malformed, rejected, bytes) = (0, 0, 0, 0, 0)
        environment.backPressure.added(events: envelope.events, bytes: envelope.bytes)
        inFlight.append((envelope.id, envelopeMembers))
        envelopeMembers = []
        envelopeMembers.reserveCapacity(64)
        environment.writer.submit(envelope)
        if !isPaused && environment.backPressure.isOverLimit && environment.backPressure.announcePause() {
            pause()
        }
    }

    // MARK: Back-pressure

    private func pause() {
        isPaused = true
        scheduleResumeCheck()
    }

    /// A safety net under the writer's wake-up: while paused, look again every 100 ms.
    private func scheduleResumeCheck() {
        let bound = loopBound
        eventLoop.scheduleTask(in: .milliseconds(100)) {
            let shard = bound.value
            guard shard.isPaused else { return }
            if shard.environment.backPressure.isBelowResumePoint {
                shard.resume()
            } else {
                shard.scheduleResumeCheck()
            }
        }
    }

    func resume() {
        guard isPaused else { return }
        isPaused = false
        let waiting = waitingForResume
        waitingForResume = []
        for member in waiting { member.resumeReading() }
    }

    // MARK: Completions

    func completed(_ completions: [EnvelopeCompletion]) {
        completionRound &+= 1
        var touched: [ShardMember] = []
        for completion in completions {
            guard let first = inFlight.first, first.id == completion.id else {
                preconditionFailure("envelope \(completion.id) completed out of order on shard \(index)")
            }
            inFlight.removeFirst()
            for (i, entry) in first.members.enumerated() {
                entry.member.messageDurable(ticket: entry.ticket, duplicates: completion.duplicates?[i] ?? 0)
                if entry.member.completionRound != completionRound {
                    entry.member.completionRound = completionRound
                    touched.append(entry.member)
                }
            }
        }
        for member in touched { member.sendReadyAcks() }
    }

    // MARK: Shutdown

    func beginShutdown() {
        isShuttingDown = true
        ship()
        for member in Array(members.values) { member.beginShutdown() }
    }

    func forceClose() {
        for member in Array(members.values) { member.forceClose() }
    }
}
