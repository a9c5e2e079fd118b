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
        /// Where the touching loads go, so that the optimiser keeps them.
        var touched: Int64 = 0
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

    /// Edges whose states are loaded together before they are joined, so that the cache
    /// misses of a batch overlap (as `Interner.batch`; 3.7 MB of states per part at 310k
    /// visitors outgrow the core's cache).
    static let batch = 16

    private func join(_ blocks: [BlockSessions], part: Int, of parts: Int, states count: Int) throws -> Output {
        var out = Output()
        var bucketer = TimeBucketer(zone: zone, unit: unit)
        var open = [Open](repeating: Open(), count: count)
        var reserved = 0
        let chunk = 1 << 16
        var sink: Int64 = 0
        // Visitor v's state is open[v / parts]; a shift when parts is a power of two.
        let shift = parts & (parts - 1) == 0 ? parts.trailingZeroBitCount : -1
        @inline(__always) func index(_ v: UInt32) -> Int { shift >= 0 ? Int(v) >> shift : Int(v) / parts }
        try open.withUnsafeMutableBufferPointer { open in
            func emit(_ o: Open, _ visitor: UInt32) throws {
                if out.sessions.count == reserved {
                    try budget.reserve(chunk * SessionList.bytesPerSession, what: "sessions")
                    reserved += chunk
                }
                out.sessions.append(start: o.start, last: o.last, events: o.events, bucket: bucketer.bucket(o.start), visitor: visitor)
            }
            func join(_ e: BlockSessions.Edge) throws {
                let i = index(e.visitor)
                var o = open[i]
                if o.events < 0 { return }
                if e.flags & BlockSessions.Edge.disordered != 0 || (o.events > 0 && e.firstStart < o.last) {
                    open[i].events = -1
                    out.disordered.append(e.visitor)
                    return
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
            for block in blocks {
                try block.edges.withUnsafeBufferPointer { edges in
                    var batch = block.partStarts[part]
                    let end = block.partStarts[part + 1]
                    while batch < end {
                        let batchEnd = min(batch + Self.batch, end)
                        var touched: Int64 = 0
                        for k in batch..<batchEnd { touched &+= open[index(edges[k].visitor)].last }
                        sink &+= touched
                        for k in batch..<batchEnd { try join(edges[k]) }
                        batch = batchEnd
                    }
                }
            }
            for i in 0..<count where open[i].events > 0 {
                try emit(open[i], UInt32(i * parts + part))
            }
        }
        out.touched = sink
        return out
    }
}
