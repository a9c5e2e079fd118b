import ClicklogStorage

/// One block's sessions, found by the scan thread that decoded the block, before it has seen
/// any other block: the first half of the ordered pass of the sessions query (`SessionJoin`
/// is the second).
///
/// Why per block: events arrive roughly in `ts` order, so a visitor's events in one block are
/// almost always already in time order, and splitting them at gaps over `--idle` needs only a
/// small state per visitor of the block, indexed by its block-local key (the dictionary code),
/// which stays in the core's cache. Only where a visitor's sessions meet the block's edges is
/// the rest of the log needed: a session may go on from the block before or into the block
/// after. So each visitor of the block leaves an `Edge` (its first and its last session in the
/// block, the same one when it has one), and the sessions between them are final at once
/// (`closed`). Nothing is kept per event, and nothing is grouped or sorted.
///
/// A visitor whose events in the block are not in `ts` order is marked `disordered`; its
/// sessions are recomputed from all of its events after the scan (`QueryEngine.sessions`).
struct BlockSessions: Sendable {
    /// A visitor's first and last session in the block.
    struct Edge: Sendable {
        var firstStart: Int64
        var firstLast: Int64
        var lastStart: Int64
        var lastLast: Int64
        var firstEvents: Int32
        var lastEvents: Int32
        var visitor: UInt32
        /// `split`: the first and last sessions differ (a gap over `--idle` lies between them);
        /// `disordered`: an event in the block is earlier than the one before it.
        var flags: UInt32

        static let split: UInt32 = 1
        static let disordered: UInt32 = 2
    }

    /// Sessions that neither start at a visitor's first event in the block nor end at its last,
    /// with their visitors.
    var closed = SessionList()
    /// One per visitor of the block, in order of first appearance.
    var edges: [Edge] = []

    /// Bytes held, for the memory budget.
    var bytes: Int { edges.count * MemoryLayout<Edge>.stride + closed.count * SessionList.bytesPerSession }
}

/// One scan thread's finder of `BlockSessions`; keeps its state array from block to block.
struct BlockSessionizer {
    let idle: Int64
    var bucketer: TimeBucketer

    /// A visitor's sessions so far in the block: the current one, and the first once a gap
    /// has closed it. `events == 0`: not seen in this block yet.
    private struct State {
        var start: Int64 = 0
        var last: Int64 = 0
        var firstStart: Int64 = 0
        var firstLast: Int64 = 0
        var events: Int32 = 0
        /// 0 while the first session is the current one.
        var firstEvents: Int32 = 0
        var disordered = false
    }

    private var states: [State] = []

    init(idle: Int64, zone: TimeZoneOffset, unit: TimeBucketer.Unit) {
        self.idle = idle
        bucketer = TimeBucketer(zone: zone, unit: unit)
    }

    /// The sessions of the block's kept rows (`BlockScanner.withLocalVisitors`).
    mutating func run(
        _ block: ScanBlock, ts: [Int64], keys: DictionaryStrings, sites: DictionaryStrings?, scanner: inout BlockScanner
    ) throws -> BlockSessions {
        try scanner.withLocalVisitors(block, ts: ts, keys: keys, sites: sites) { keys, ts, visitorOf in
            run(keys: keys, ts: ts, visitorOf: visitorOf)
        }
    }

    /// The sessions of the rows `keys[j]`, `ts[j]` (in arrival order), where a key is a
    /// block-local visitor index and `visitorOf[key]` its global id; rows whose visitor is
    /// `Interner.none` are left out.
    mutating func run(
        keys: UnsafeBufferPointer<UInt32>, ts: UnsafeBufferPointer<Int64>, visitorOf: UnsafeBufferPointer<UInt32>
    ) -> BlockSessions {
        var out = BlockSessions()
        // Moved out of `self` for the loop, so that the buffers are uniquely referenced.
        var states = self.states
        self.states = []
        var bucketer = self.bucketer
        defer {
            self.states = states
            self.bucketer = bucketer
        }
        states.removeAll(keepingCapacity: true)
        states.append(contentsOf: repeatElement(State(), count: visitorOf.count))
        let idle = self.idle
        states.withUnsafeMutableBufferPointer { states in
            for j in 0..<keys.count {
                let k = Int(keys[j])
                let visitor = visitorOf[k]
                if visitor == Interner.none { continue }
                let t = ts[j]
                let s = states[k]
                if s.events == 0 {
                    states[k].start = t
                    states[k].last = t
                    states[k].events = 1
                } else if s.disordered || t < s.last {
                    states[k].disordered = true
                } else if t - s.last > idle {
                    if s.firstEvents == 0 {
                        states[k].firstStart = s.start
                        states[k].firstLast = s.last
                        states[k].firstEvents = s.events
                    } else {
                        out.closed.append(start: s.start, last: s.last, events: s.events, bucket: bucketer.bucket(s.start), visitor: visitor)
                    }
                    states[k].start = t
                    states[k].last = t
                    states[k].events = 1
                } else {
                    states[k].last = t
                    states[k].events = s.events &+ 1
                }
            }
            Self.edges(states, visitorOf: visitorOf, into: &out)
        }
        return out
    }

    /// The edges of the visitors seen.
    private static func edges(_ states: UnsafeMutableBufferPointer<State>, visitorOf: UnsafeBufferPointer<UInt32>, into out: inout BlockSessions) {
        var seen = 0
        for k in 0..<states.count where states[k].events > 0 { seen += 1 }
        out.edges = [BlockSessions.Edge](unsafeUninitializedCapacity: seen) { edges, initialized in
            var n = 0
            for k in 0..<states.count where states[k].events > 0 {
                let s = states[k]
                let split = s.firstEvents > 0
                edges[n] = BlockSessions.Edge(
                    firstStart: split ? s.firstStart : s.start, firstLast: split ? s.firstLast : s.last,
                    lastStart: s.start, lastLast: s.last,
                    firstEvents: split ? s.firstEvents : s.events, lastEvents: s.events, visitor: visitorOf[k],
                    flags: (split ? BlockSessions.Edge.split : 0) | (s.disordered ? BlockSessions.Edge.disordered : 0))
                n += 1
            }
            initialized = seen
        }
    }
}
