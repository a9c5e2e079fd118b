/// The second half of the ordered pass of the sessions query: joins each visitor's
/// `BlockSessions.Edge`s in block order, where a session goes on from one block into the next,
/// and finds the visitors whose events are not in `ts` order across blocks.
///
/// Per visitor it keeps the session still open (start, last event, events), 24 bytes indexed
/// by visitor id. An edge whose first event is within `--idle` of the open session's last
/// extends it; otherwise the open session is final. An edge with a gap inside (`split`) closes
/// the joined session and leaves its last session open. A visitor whose edge starts before the
/// open session's last event, or whose edge is `disordered`, is listed in `disordered`; its
/// sessions are the caller's to drop and recompute from its sorted events.
///
/// It runs as the scan's in-order consumer (`ParallelScan.run(inOrder:)`), one block at a time
/// while the other threads decode, so it needs no lock; it costs about a tenth of the decoding.
struct SessionJoin {
    let idle: Int64
    let budget: MemoryBudget
    private var bucketer: TimeBucketer

    /// Every session found so far, with its visitor: the blocks' closed ones and the joined ones.
    private(set) var sessions = SessionList()
    /// Visitors found out of order, each once.
    private(set) var disordered: [UInt32] = []
    /// The visitors of each block joined so far (block k's are `visitorsOfBlocks[blockEnds[k - 1]..<blockEnds[k]]`),
    /// to find the blocks that hold events of disordered visitors.
    private(set) var visitorsOfBlocks: [UInt32] = []
    private(set) var blockEnds: [Int] = []

    /// The open session of a visitor; `events == 0`: none yet, `events < 0`: disordered.
    private struct Open {
        var start: Int64 = 0
        var last: Int64 = 0
        var events: Int32 = 0
    }

    private var open: [Open] = []
    private var reservedSessions = 0
    /// Where the touching loads go, so that the optimiser keeps them.
    private var touched: Int64 = 0

    /// Edges whose states are loaded together before they are joined, so that the cache
    /// misses of a batch overlap (as `Interner.batch`): 7 MB of states at 310k visitors
    /// outgrow the core's cache.
    static let batch = 16

    init(idle: Int64, zone: TimeZoneOffset, unit: TimeBucketer.Unit, budget: MemoryBudget) {
        self.idle = idle
        self.budget = budget
        bucketer = TimeBucketer(zone: zone, unit: unit)
    }

    /// Joins the next block's sessions.
    mutating func add(_ block: BlockSessions) throws {
        try reserveSessions(sessions.count + block.closed.count + block.edges.count)
        sessions.durations += block.closed.durations
        sessions.buckets += block.closed.buckets
        sessions.eventCounts += block.closed.eventCounts
        sessions.visitors += block.closed.visitors
        if let largest = block.edges.lazy.map(\.visitor).max(), Int(largest) >= open.count {
            let count = max(Int(largest) + 1, open.count * 2)
            try budget.reserve((count - open.count) * MemoryLayout<Open>.stride, what: "open sessions of \(count) visitors")
            open.append(contentsOf: repeatElement(Open(), count: count - open.count))
        }
        var open = self.open
        self.open = []
        defer { self.open = open }
        var sink: Int64 = 0
        open.withUnsafeMutableBufferPointer { open in
            block.edges.withUnsafeBufferPointer { edges in
                var batch = 0
                while batch < edges.count {
                    let batchEnd = min(batch + Self.batch, edges.count)
                    var touched: Int64 = 0
                    for k in batch..<batchEnd { touched &+= open[Int(edges[k].visitor)].last }
                    sink &+= touched
                    for k in batch..<batchEnd { join(edges[k], &open[Int(edges[k].visitor)]) }
                    batch = batchEnd
                }
            }
        }
        touched = sink
        visitorsOfBlocks.append(contentsOf: block.edges.lazy.map(\.visitor))
        blockEnds.append(visitorsOfBlocks.count)
    }

    @inline(__always)
    private mutating func join(_ e: BlockSessions.Edge, _ o: inout Open) {
        if o.events < 0 { return }
        if e.flags & BlockSessions.Edge.disordered != 0 || (o.events > 0 && e.firstStart < o.last) {
            o.events = -1
            disordered.append(e.visitor)
            return
        }
        if o.events == 0 {
            o = Open(start: e.firstStart, last: e.firstLast, events: e.firstEvents)
        } else if e.firstStart - o.last > idle {
            emit(o, e.visitor)
            o = Open(start: e.firstStart, last: e.firstLast, events: e.firstEvents)
        } else {
            o.last = e.firstLast
            o.events &+= e.firstEvents
        }
        if e.flags & BlockSessions.Edge.split != 0 {
            emit(o, e.visitor)
            o = Open(start: e.lastStart, last: e.lastLast, events: e.lastEvents)
        }
    }

    @inline(__always)
    private mutating func emit(_ o: Open, _ visitor: UInt32) {
        sessions.append(start: o.start, last: o.last, events: o.events, bucket: bucketer.bucket(o.start), visitor: visitor)
    }

    /// Closes the sessions still open, after the last block.
    mutating func finish() throws {
        var left = 0
        for o in open where o.events > 0 { left += 1 }
        try reserveSessions(sessions.count + left)
        for v in open.indices where open[v].events > 0 { emit(open[v], UInt32(v)) }
        open = []
    }

    /// Reserves budget for `count` sessions, in steps of 64k.
    private mutating func reserveSessions(_ count: Int) throws {
        guard count > reservedSessions else { return }
        let step = max(1 << 16, count - reservedSessions)
        try budget.reserve(step * SessionList.bytesPerSession, what: "\(count) sessions")
        reservedSessions += step
    }
}
