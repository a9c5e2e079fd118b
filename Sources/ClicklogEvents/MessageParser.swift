/// Parses protocol messages (one event, or a batch of events) from raw bytes into the columns
/// of an `EventBatch`, validating every rule of protocol.md in a single pass. A message's
/// events reach the batch together, column by column, once it has been read whole
/// (`flushPending`).
///
/// A parser is reused from message to message: its scratch buffers keep their capacity, so
/// steady-state parsing allocates nothing per event. It is not thread-safe; give each thread
/// (or connection) its own.
///
/// Outcomes:
/// - a message that is not JSON, too large, or not a message at all throws `MessageError` and
///   leaves `batch` as it was;
/// - otherwise every valid, new event is appended, and each bad event is reported as a
///   `Rejection` (its index, the field at fault, the reason, and its bytes for quarantine).
///
/// Duplicates are decided after the whole message parsed, so a message that turns out to be
/// malformed halfway never teaches the duplicate filter ids it did not store.
public struct MessageParser {
    public var limits: EventLimits

    /// Where a field's value is: absent, JSON null, a byte range of the message (no escapes),
    /// a range of `scratch` (unescaped), or an integer.
    enum Slot: Equatable {
        case absent
        case null
        case message(Int, Int)
        case scratch(Int, Int)
        case integer(Int64)
    }

    enum BodyOutcome {
        case parsed
        case refused(MessageError)
        case restartAsBatch
        /// An object that began like a batch but has no `events` member is an event.
        case restartAsEvent
    }

    enum EventOutcome {
        case accepted
        case rejected(field: String, reason: String)
        case isBatch
    }

    var slots = [Slot](repeating: .absent, count: EventField.allCases.count)
    var scratch: [UInt8] = []
    var keyPath: [UInt8] = []
    var propKeyBytes: [UInt8] = []
    var propKeyEnds: [Int] = []
    var propValueBytes: [UInt8] = []
    var propValueEnds: [Int] = []
    var propKinds: [UInt8] = []
    /// Where the event being read starts in the property arrays, which hold the properties of
    /// every event of the message kept so far.
    var eventPropStart = 0
    /// The slots of the message's accepted events, `EventField.allCases.count` each, and where
    /// each event's properties end: the events wait here until the message has been read.
    var pendingSlots: [Slot] = []
    var pendingPropEnds: [Int] = []
    var flushScratch = FlushScratch()
    var eventError: (field: String, reason: String)?
    var now: Int64 = 0
    var siteBytes: [UInt8] = []
    var userAgentBytes: [UInt8]?
    var ipBytes: [UInt8]?
    /// The enrichment the byte copies above were made from.
    var lastEnrichment: (site: String, userAgent: String?, ip: String?) = ("", nil, nil)
    var receivedAt: Int64 = 0

    public init(limits: EventLimits = EventLimits()) {
        self.limits = limits
    }

    /// Parses one message and appends its valid, new events to `batch`.
    ///
    /// - Parameters:
    ///   - now: the server's clock in epoch ms, for the `ts` window.
    ///   - enrichment: the server-side fields stamped on every accepted event.
    ///   - filter: asked about every valid event that has an `id`, in message order.
    public mutating func parse<Filter: DuplicateFilter>(
        _ message: UnsafeRawBufferPointer,
        now: Int64,
        enrichment: Enrichment,
        into batch: inout EventBatch,
        filter: inout Filter
    ) throws(MessageError) -> MessageSummary {
        guard message.count <= limits.maxMessageBytes else {
            throw .tooLarge(message.count, limit: limits.maxMessageBytes)
        }
        self.now = now
        prepare(enrichment)
        let startRow = batch.count
        var summary = MessageSummary()
        // RFC 8259 §8.1 lets a parser ignore a leading byte order mark; clients do send one.
        let body = MessageParser.droppingByteOrderMark(message)
        var asBatch = MessageParser.looksLikeBatch(body)
        while true {
            var cursor = JSONCursor(body)
            resetPending()
            let outcome: BodyOutcome
            do {
                outcome = try asBatch ? parseBatch(&cursor, summary: &summary) : parseSingle(&cursor, summary: &summary)
            } catch {
                throw .syntax(error)
            }
            switch outcome {
            case .parsed:
                flushPending(into: &batch, message: UnsafeRawBufferPointer(start: cursor.base, count: cursor.end))
            case .refused(let error):
                throw error
            case .restartAsBatch, .restartAsEvent:
                summary = MessageSummary()
                asBatch.toggle()
                continue
            }
            break
        }
        summary.isBatch = asBatch
        let bomLength = message.count - body.count
        if bomLength > 0 {
            for i in summary.rejections.indices {
                let r = summary.rejections[i].bytes
                summary.rejections[i].bytes = (r.lowerBound + bomLength)..<(r.upperBound + bomLength)
            }
        }
        if let sentAt = summary.sentAt {
            for row in startRow..<batch.count { batch.sentAt.set(row, sentAt) }
        }
        removeDuplicates(in: &batch, from: startRow, filter: &filter, summary: &summary)
        return summary
    }

    /// Convenience for callers holding an array.
    public mutating func parse<Filter: DuplicateFilter>(
        _ message: [UInt8], now: Int64, enrichment: Enrichment,
        into batch: inout EventBatch, filter: inout Filter
    ) throws(MessageError) -> MessageSummary {
        let result = message.withUnsafeBytes { bytes in
            Result { () throws(MessageError) -> MessageSummary in
                try parse(bytes, now: now, enrichment: enrichment, into: &batch, filter: &filter)
            }
        }
        return try result.get()
    }

    private mutating func prepare(_ enrichment: Enrichment) {
        receivedAt = enrichment.receivedAt
        // A connection sends many messages with the same values: copy only when they change.
        guard enrichment.site != lastEnrichment.site || enrichment.userAgent != lastEnrichment.userAgent
            || enrichment.ip != lastEnrichment.ip || siteBytes.isEmpty
        else { return }
        lastEnrichment = (enrichment.site, enrichment.userAgent, enrichment.ip)
        siteBytes = Array(enrichment.site.utf8)
        userAgentBytes = enrichment.userAgent.map { Array($0.utf8) }
        ipBytes = enrichment.ip.map { Array($0.utf8) }
    }

    static func droppingByteOrderMark(_ message: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        guard message.count >= 3, message[0] == 0xEF, message[1] == 0xBB, message[2] == 0xBF else { return message }
        return UnsafeRawBufferPointer(rebasing: message[3...])
    }

    /// A message is a batch exactly when it has an `events` member. The first key decides how
    /// to start reading; a guess proven wrong restarts the read (`restartAsBatch`,
    /// `restartAsEvent`), which only odd messages pay for.
    static func looksLikeBatch(_ message: UnsafeRawBufferPointer) -> Bool {
        var c = JSONCursor(message)
        c.skipWhitespace()
        guard c.current == UInt8(ascii: "{") else { return false }
        c.pos += 1
        c.skipWhitespace()
        guard c.current == UInt8(ascii: "\""), let key = try? c.scanString() else { return false }
        return c.equals(key, "events") || c.equals(key, "seq") || c.equals(key, "sent_at")
    }

    private mutating func parseSingle(_ c: inout JSONCursor, summary: inout MessageSummary) throws(JSONSyntaxError) -> BodyOutcome {
        c.skipWhitespace()
        guard c.current == UInt8(ascii: "{") else {
            _ = try c.skipValue()
            try MessageParser.expectEnd(&c)
            return .refused(.notAMessage("message is not a JSON object"))
        }
        let start = c.pos
        let outcome = try parseEvent(&c, topLevel: true)
        if case .isBatch = outcome { return .restartAsBatch }
        try MessageParser.expectEnd(&c)
        summary.events = 1
        switch outcome {
        case .accepted: summary.accepted = 1
        case .rejected(let field, let reason):
            summary.rejections.append(Rejection(index: 0, field: field, reason: reason, bytes: start..<c.pos))
        case .isBatch: break
        }
        return .parsed
    }

    private mutating func parseBatch(_ c: inout JSONCursor, summary: inout MessageSummary) throws(JSONSyntaxError) -> BodyOutcome {
        try c.expect(UInt8(ascii: "{"), "'{'")
        var refusal: MessageError?
        var sawEvents = false
        c.skipWhitespace()
        if c.current == UInt8(ascii: "}") {
            c.pos += 1
        } else {
            while true {
                c.skipWhitespace()
                guard c.current == UInt8(ascii: "\"") else { throw c.unexpected(expected: "a key") }
                let key = try c.scanString()
                try c.expect(UInt8(ascii: ":"), "':'")
                c.skipWhitespace()
                if c.equals(key, "events") && !sawEvents {
                    sawEvents = true
                    if c.current == UInt8(ascii: "[") {
                        if let error = try parseEvents(&c, summary: &summary) { refusal = refusal ?? error }
                    } else {
                        _ = try c.skipValue()
                        refusal = refusal ?? .notAMessage("events: not an array")
                    }
                } else if (c.equals(key, "seq") && summary.seq == nil) || (c.equals(key, "sent_at") && summary.sentAt == nil) {
                    let isSeq = c.equals(key, "seq")
                    var value: Int64?
                    if c.current == UInt8(ascii: "n") {
                        try c.scanLiteral("null")
                    } else if c.current == UInt8(ascii: "-") || (c.current &- 48) < 10 {
                        value = try c.scanNumber().integer
                        if value == nil { refusal = refusal ?? .notAMessage("\(isSeq ? "seq" : "sent_at"): not an integer") }
                    } else {
                        _ = try c.skipValue()
                        refusal = refusal ?? .notAMessage("\(isSeq ? "seq" : "sent_at"): not an integer")
                    }
                    if isSeq { summary.seq = value } else { summary.sentAt = value }
                } else {
                    let name = decodedString(key, c)
                    _ = try c.skipValue()
                    refusal = refusal ?? .notAMessage("batch field \"\(name)\" is unknown or repeated (allowed: seq, sent_at, events)")
                }
                c.skipWhitespace()
                if c.current == UInt8(ascii: ",") {
                    c.pos += 1
                } else if c.current == UInt8(ascii: "}") {
                    c.pos += 1
                    break
                } else {
                    throw c.unexpected(expected: "',' or '}'")
                }
            }
        }
        try MessageParser.expectEnd(&c)
        if !sawEvents { return .restartAsEvent }
        if let refusal { return .refused(refusal) }
        return .parsed
    }

    /// Parses the `events` array at `c.pos`; returns a refusal when it holds too many events.
    private mutating func parseEvents(_ c: inout JSONCursor, summary: inout MessageSummary) throws(JSONSyntaxError) -> MessageError? {
        c.pos += 1
        c.skipWhitespace()
        if c.current == UInt8(ascii: "]") {
            c.pos += 1
            return nil
        }
        var index = 0
        var refusal: MessageError?
        while true {
            c.skipWhitespace()
            let start = c.pos
            if index >= limits.maxEventsPerMessage {
                refusal = .tooManyEvents(limit: limits.maxEventsPerMessage)
                _ = try c.skipValue()
            } else if c.current == UInt8(ascii: "{") {
                switch try parseEvent(&c, topLevel: false) {
                case .accepted: summary.accepted += 1
                case .rejected(let field, let reason):
                    summary.rejections.append(Rejection(index: index, field: field, reason: reason, bytes: start..<c.pos))
                case .isBatch: break
                }
            } else {
                _ = try c.skipValue()
                summary.rejections.append(Rejection(index: index, field: "event", reason: "not an object", bytes: start..<c.pos))
            }
            index += 1
            summary.events = index
            c.skipWhitespace()
            if c.current == UInt8(ascii: ",") {
                c.pos += 1
            } else if c.current == UInt8(ascii: "]") {
                c.pos += 1
                return refusal
            } else {
                throw c.unexpected(expected: "',' or ']'")
            }
        }
    }

    static func expectEnd(_ c: inout JSONCursor) throws(JSONSyntaxError) {
        c.skipWhitespace()
        guard c.atEnd else { throw c.fail("unexpected data after the JSON value") }
    }

    func decodedString(_ token: JSONCursor.StringToken, _ c: JSONCursor) -> String {
        var bytes: [UInt8] = []
        c.decode(token, into: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    private func removeDuplicates<Filter: DuplicateFilter>(
        in batch: inout EventBatch, from startRow: Int, filter: inout Filter, summary: inout MessageSummary
    ) {
        if Filter.admitsEveryID { return }
        var duplicateRows: [Int] = []
        for row in startRow..<batch.count where !batch.id.isNull(row) {
            let admitted = batch.id.withBytes(at: row) { filter.admit(id: $0) }
            if !admitted { duplicateRows.append(row) }
        }
        guard !duplicateRows.isEmpty else { return }
        summary.duplicates = duplicateRows.count
        summary.accepted -= duplicateRows.count
        var next = 0
        batch.filterRows(from: startRow) { row in
            if next < duplicateRows.count && duplicateRows[next] == row {
                next += 1
                return false
            }
            return true
        }
    }
}

extension Int64Column {
    /// Overwrites row `row` with a present value.
    mutating func set(_ row: Int, _ value: Int64) {
        values[row] = value
        presence?[row] = true
    }
}
