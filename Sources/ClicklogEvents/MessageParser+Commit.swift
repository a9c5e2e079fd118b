extension MessageParser {
    /// Keeps the event just read (its `slots`) until the message ends.
    mutating func keepPending() {
        pendingSlots.append(contentsOf: slots)
        pendingPropEnds.append(propKinds.count)
    }

    /// Forgets the current event's properties (it was rejected): the property arrays hold only
    /// those of events kept.
    mutating func dropEventProps() {
        let start = eventPropStart
        guard propKinds.count > start else { return }
        propKeyBytes.removeLast(propKeyBytes.count - (start == 0 ? 0 : propKeyEnds[start - 1]))
        propValueBytes.removeLast(propValueBytes.count - (start == 0 ? 0 : propValueEnds[start - 1]))
        propKeyEnds.removeLast(propKeyEnds.count - start)
        propValueEnds.removeLast(propValueEnds.count - start)
        propKinds.removeLast(propKinds.count - start)
    }

    /// Empties what one message accumulates, before the next (or a restart of this one).
    mutating func resetPending() {
        if !pendingSlots.isEmpty {
            pendingSlots.removeAll(keepingCapacity: true)
            pendingPropEnds.removeAll(keepingCapacity: true)
        }
        if !scratch.isEmpty { scratch.removeAll(keepingCapacity: true) }
        if !propKinds.isEmpty || !propValueBytes.isEmpty || !propKeyBytes.isEmpty {
            propKeyBytes.removeAll(keepingCapacity: true)
            propKeyEnds.removeAll(keepingCapacity: true)
            propValueBytes.removeAll(keepingCapacity: true)
            propValueEnds.removeAll(keepingCapacity: true)
            propKinds.removeAll(keepingCapacity: true)
        }
    }

    /// Appends the message's accepted events to `batch`, column by column.
    ///
    /// Why not event by event: an event touches some twenty columns, and every append to a
    /// Swift array checks that its storage is unshared and has room, then copies a few bytes
    /// through `memmove`; those calls were more than half of parsing. Column by column, a
    /// message's values are gathered with inline copies and each column grows once.
    mutating func flushPending(into batch: inout EventBatch, message: UnsafeRawBufferPointer) {
        let k = pendingPropEnds.count
        guard k > 0 else { return }
        let base = message.baseAddress!  // a cursor's, never nil
        let stride = EventField.allCases.count
        // A column's values are ranges of the message or of the unescaped strings, each used
        // once: together they are no longer than both.
        let maxBytes = message.count + scratch.count
        var gather = flushScratch
        flushScratch = FlushScratch()  // so `gather`'s buffers are not shared
        pendingSlots.withUnsafeBufferPointer { slots in
            scratch.withUnsafeBytes { scratch in
                // `gather` is a parameter, not a capture: a local function that captures a
                // variable it mutates gets a dynamic exclusivity check per call, which with
                // one event per message (imports, unbatched clients) was 6 % of importing.
                func strings(_ field: EventField, _ column: inout StringColumn, _ gather: inout FlushScratch) {
                    let f = field.rawValue
                    gather.appendRows(k, maxBytes: maxBytes, to: &column) { e in
                        switch slots[e &* stride &+ f] {
                        case .message(let start, let end): UnsafeRawBufferPointer(start: base + start, count: end &- start)
                        case .scratch(let start, let end): UnsafeRawBufferPointer(rebasing: scratch[start..<end])
                        default: nil
                        }
                    }
                }
                func integers(_ field: EventField, _ column: inout Int64Column) {
                    let f = field.rawValue
                    for e in 0..<k {
                        if case .integer(let value) = slots[e &* stride &+ f] { column.append(value) } else { column.appendNull() }
                    }
                }
                strings(.event, &batch.event, &gather)
                for e in 0..<k {
                    if case .integer(let ts) = slots[e &* stride &+ EventField.ts.rawValue] { batch.ts.append(ts) }
                }
                strings(.anonymousID, &batch.anonymousID, &gather)
                strings(.id, &batch.id, &gather)
                strings(.userID, &batch.userID, &gather)
                strings(.sessionID, &batch.sessionID, &gather)
                strings(.url, &batch.url, &gather)
                strings(.referrer, &batch.referrer, &gather)
                strings(.title, &batch.title, &gather)
                strings(.selector, &batch.selector, &gather)
                strings(.text, &batch.text, &gather)
                integers(.x, &batch.x)
                integers(.y, &batch.y)
            }
        }
        // Properties: the arrays hold exactly the kept events' properties, in order.
        let propBase = UInt32(batch.propKinds.count)
        batch.propEnds.append(offsets: pendingPropEnds, plus: Int(propBase))
        if !propKinds.isEmpty {
            batch.propKeys.appendRows(bytes: propKeyBytes, ends: propKeyEnds)
            batch.propValues.appendRows(bytes: propValueBytes, ends: propValueEnds)
            batch.propKinds.append(contentsOf: propKinds)
        }
        batch.receivedAt.append(contentsOf: repeatElement(receivedAt, count: k))
        gather.appendRepeated(siteBytes, k, to: &batch.site)
        gather.appendRepeated(userAgentBytes, k, to: &batch.userAgent)
        gather.appendRepeated(ipBytes, k, to: &batch.ip)
        batch.sentAt.appendNulls(k)
        batch.count += k
        flushScratch = gather
    }
}

/// The parser's buffers for gathering one column of a message before appending it.
struct FlushScratch {
    var bytes: [UInt8] = []
    var ends: [UInt32] = []
    var presence: [Bool] = []

    /// Appends `k` rows to `column`: `value(e)` is row e's bytes, or nil for a null row;
    /// together they are at most `maxBytes` long.
    @inline(__always)
    mutating func appendRows(
        _ k: Int, maxBytes: Int, to column: inout StringColumn, _ value: (Int) -> UnsafeRawBufferPointer?
    ) {
        // One event (single-event messages): the gathering would cost more than it saves.
        if k == 1 {
            if let v = value(0) { column.append(v) } else { column.appendNull() }
            return
        }
        if bytes.count < maxBytes { bytes = [UInt8](repeating: 0, count: max(maxBytes, 2 * bytes.count)) }
        if ends.count < k { ends = [UInt32](repeating: 0, count: max(k, 2 * ends.count)) }
        if presence.count < k { presence = [Bool](repeating: false, count: max(k, 2 * presence.count)) }
        let base = UInt32(column.bytes.count)
        let (total, nulls) = bytes.withUnsafeMutableBytes { out in
            ends.withUnsafeMutableBufferPointer { ends in
                presence.withUnsafeMutableBufferPointer { presence in
                    var at = 0
                    var nulls = false
                    for e in 0..<k {
                        if let v = value(e) {
                            if !v.isEmpty { FlushScratch.copy(v, to: out.baseAddress! + at) }
                            at &+= v.count
                            presence[e] = true
                        } else {
                            presence[e] = false
                            nulls = true
                        }
                        ends[e] = base &+ UInt32(truncatingIfNeeded: at)
                    }
                    return (at, nulls)
                }
            }
        }
        if nulls || column.presence != nil {
            column.ensurePresence()  // before the new rows: every row so far was present
            presence.withUnsafeBufferPointer { column.presence!.append(contentsOf: UnsafeBufferPointer(rebasing: $0[..<k])) }
        }
        bytes.withUnsafeBytes { column.bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: $0[..<total])) }
        ends.withUnsafeBufferPointer { column.ends.append(contentsOf: UnsafeBufferPointer(rebasing: $0[..<k])) }
    }

    /// Appends `value` (or a null, for nil) `k` times: the server's enrichment.
    mutating func appendRepeated(_ value: [UInt8]?, _ k: Int, to column: inout StringColumn) {
        guard let value else { return appendRows(k, maxBytes: 0, to: &column) { _ in nil } }
        value.withUnsafeBytes { v in
            appendRows(k, maxBytes: v.count &* k, to: &column) { _ in v }
        }
    }

    /// Copies a value of a few dozen bytes with overlapping word moves instead of a call to
    /// `memmove`; longer ones go to `memmove`. Reads stay inside `source`.
    @inline(__always)
    static func copy(_ source: UnsafeRawBufferPointer, to out: UnsafeMutableRawPointer) {
        let n = source.count
        guard n > 0, let from = source.baseAddress else { return }
        if n >= 8 {
            if n > 64 {
                out.copyMemory(from: from, byteCount: n)
                return
            }
            var i = 0
            while i &+ 8 < n {
                out.storeBytes(of: from.loadUnaligned(fromByteOffset: i, as: UInt64.self), toByteOffset: i, as: UInt64.self)
                i &+= 8
            }
            out.storeBytes(of: from.loadUnaligned(fromByteOffset: n &- 8, as: UInt64.self), toByteOffset: n &- 8, as: UInt64.self)
        } else if n >= 4 {
            out.storeBytes(of: from.loadUnaligned(as: UInt32.self), as: UInt32.self)
            out.storeBytes(of: from.loadUnaligned(fromByteOffset: n &- 4, as: UInt32.self), toByteOffset: n &- 4, as: UInt32.self)
        } else {
            for i in 0..<n { out.storeBytes(of: from.load(fromByteOffset: i, as: UInt8.self), toByteOffset: i, as: UInt8.self) }
        }
    }
}

extension StringColumn {
    /// Appends the rows of `bytes`, row i ending at `ends[i]` (offsets in `bytes`), all present.
    mutating func appendRows(bytes rows: [UInt8], ends rowEnds: [Int]) {
        let base = bytes.count
        bytes.append(contentsOf: rows)
        ends.append(offsets: rowEnds, plus: base)
        if presence != nil { presence!.append(contentsOf: repeatElement(true, count: rowEnds.count)) }
    }
}
