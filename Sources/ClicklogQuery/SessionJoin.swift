/// The second half of the ordered pass of the sessions query: joins each visitor's
/// `BlockSessions.Edge`s in block order, where a session goes on from one block into the next,
/// and finds the visitors whose events are not in `ts` order across blocks.
///
/// Per visitor it keeps the session still open (start, last event, events), 24 bytes. An edge
/// whose first event is within `--idle` of the open session's last extends it; otherwise the
/// open session is final. An edge with a gap inside (`split`) closes the joined session and
/// leaves its last session open. A visitor whose edge starts before the open session's last
/// event, or whose edge is `disordered`, is listed in `disordered` and its sessions dropped
/// (the caller recomputes them from its sorted events).
///
/// The join runs on `parts` threads at once, each taking the visitors `v % parts == part`
/// (the blocks keep their edges grouped so, `BlockSessions.partStarts`), so no state is shared.
struct SessionJoin {
    let idle: Int64
    let zone: TimeZoneOffset
    let unit: TimeBucketer.Unit
    let budget: MemoryBudget

    /// The joined sessions (with their visitors) and the disordered visitors.
    struct Output {
        var sessions = SessionList()
        var disordered: [UInt32] = []
    }

    /// The open session of a visitor; `events == 0`: none yet, `events < 0`: disordered.
    private struct Open {
        var start: Int64 = 0
        var last: Int64 = 0
        var events: Int32 = 0
    }

    func run(_ blocks: [BlockSessions], visitorBound: Int, parts: Int) throws -> [Output] {
        let parts = max(1, parts)
        let perPart = visitorBound / parts + 1
        try budget.reserve(perPart * parts * MemoryLayout<Open>.stride, what: "open sessions of \(visitorBound) visitors")
        defer { budget.release(perPart * parts * MemoryLayout<Open>.stride) }
        let results = UnsafeSlots(count: parts, initial: Result<Output, any Error>.success(Output()))
        let shared = UncheckedBox(blocks)
        parallelFor(threads: parts) { part in
            results.set(part, Result { try join(shared.value, part: part, of: parts, states: perPart) })
        }
        return try results.values.map { try $0.get() }
    }

    private func join(_ blocks: [BlockSessions], part: Int, of parts: Int, states count: Int) throws -> Output {
        var out = Output()
        var bucketer = TimeBucketer(zone: zone, unit: unit)
        var open = [Open](repeating: Open(), count: count)
        var reserved = 0
        let chunk = 1 << 16
        try open.withUnsafeMutableBufferPointer { open in
            func emit(_ o: Open, _ visitor: UInt32) throws {
                if out.sessions.count == reserved {
                    try budget.reserve(chunk * SessionList.bytesPerSession, what: "sessions")
                    reserved += chunk
                }
                out.sessions.append(start: o.start, last: o.last, events: o.events, bucket: bucketer.bucket(o.start), visitor: visitor)
            }
            for block in blocks {
                for e in block.edges[block.partStarts[part]..<block.partStarts[part + 1]] {
                    let i = Int(e.visitor) / parts
                    var o = open[i]
                    if o.events < 0 { continue }
                    if e.flags & BlockSessions.Edge.disordered != 0 || (o.events > 0 && e.firstStart < o.last) {
                        open[i].events = -1
                        out.disordered.append(e.visitor)
                        continue
                    }
                    if o.events == 0 {
                        o = Open(start: e.firstStart, last: e.firstLast, events: e.firstEvents)
                    } else if e.firstStart - o.last > idle {
                        try emit(o, e.visitor)
                        o = Open(start: e.firstStart, last: e.firstLast, events: e.firstEvents)
                    } else {
                        o.last = e.firstLast
                        o.events &+= e.firstEvents
                    }
                    if e.flags & BlockSessions.Edge.split != 0 {
                        try emit(o, e.visitor)
                        o = Open(start: e.lastStart, last: e.lastLast, events: e.lastEvents)
                    }
                    open[i] = o
                }
            }
            for i in 0..<count where open[i].events > 0 {
                try emit(open[i], UInt32(i * parts + part))
            }
        }
        return out
    }
}
