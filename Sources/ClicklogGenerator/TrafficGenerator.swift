/// Deterministic synthetic clickstream traffic for the demo shop at `https://shop.example`, as
/// JSON lines (protocol.md, "Event") or as batch messages.
///
/// Visitors arrive over the time window following a daily cycle, make a heavy-tailed number of
/// visits separated by idle gaps (some just under, some just over the 30 min session boundary,
/// most hours or days), and in each visit walk the shop: page views with Zipf-popular products,
/// clicks with selectors and coordinates, searches, logins, carts, checkouts and purchases. The
/// events of all visitors come out in `ts` order, as a live server would receive them.
///
/// Exactly `options.events` events are generated, all inside `options.window`, and the same
/// options give the same bytes on every platform. Memory grows with the number of visitors
/// active at once (about 200 bytes each), not with the number of events.
///
/// ```swift
/// var generator = try TrafficGenerator(GeneratorOptions(events: 1_000, seed: 7))
/// var buffer: [UInt8] = []
/// while generator.nextLine(into: &buffer) {
///     if buffer.count > 1 << 20 { write(buffer); buffer.removeAll(keepingCapacity: true) }
/// }
/// ```
public struct TrafficGenerator: Sendable {
    public let options: GeneratorOptions
    /// Events written so far.
    public private(set) var eventsWritten = 0
    /// Batch messages written so far (the last one's `seq`).
    public private(set) var batchesWritten = 0

    private let catalog = ShopCatalog.shared
    private let model = TrafficModel()
    private let window: Range<Int64>
    /// Where each event is written before it is appended to the caller's buffer; its size is
    /// the largest event's.
    private var scratch: [UInt8]
    private var rng: Xoshiro256StarStar
    private var arrivals: ArrivalProcess
    private var queue = VisitorQueue()
    private var visitors: [Visitor] = []
    private var freeSlots: [Int] = []
    /// Events promised by the visitors spawned so far; spawning stops at `options.events`.
    private var plannedEvents = 0
    /// Accounts created so far; visitor `u_<n>` has n in 1…accounts.
    private var accounts: Int32 = 0
    private var nextOrder: Int64 = 100_001
    /// A batch's events, written before its header because `sent_at` depends on the last one.
    private var batchScratch: [UInt8] = []

    public init(_ options: GeneratorOptions) throws(GeneratorError) {
        try options.validate()
        self.options = options
        window = options.window
        scratch = [UInt8](repeating: 0, count: EventEncoder.maxEventBytes(catalog: catalog))
        rng = Xoshiro256StarStar(seed: options.seed)
        arrivals = ArrivalProcess(window: window)
        if options.events > 0 {
            arrivals.advance(remainingEvents: options.events, &rng)
        }
    }

    /// All the output for `options` in one buffer: for tests and small files.
    public static func jsonLines(_ options: GeneratorOptions) throws(GeneratorError) -> [UInt8] {
        var generator = try TrafficGenerator(options)
        var out: [UInt8] = []
        out.reserveCapacity(options.events * 360)
        while generator.nextLine(into: &out) {}
        return out
    }

    /// Appends the next line, including its `\n`: one event object, or with a batch size one batch
    /// message `{"seq":N,"sent_at":MS,"events":[…]}` whose `seq` counts from 1 and whose
    /// `sent_at` is 250 ms after its last event. The last batch may be short. Returns false, and
    /// appends nothing, when everything has been written.
    public mutating func nextLine(into buffer: inout [UInt8]) -> Bool {
        guard eventsWritten < options.events else { return false }
        if options.batchSize == 0 {
            _ = nextEvent(into: &buffer)
            buffer.append(UInt8(ascii: "\n"))
            return true
        }
        var events: [UInt8] = []
        swap(&events, &batchScratch)  // reuse its capacity without aliasing self
        defer { swap(&events, &batchScratch) }
        events.removeAll(keepingCapacity: true)
        var lastTs: Int64 = 0
        for i in 0..<options.batchSize where eventsWritten < options.events {
            if i > 0 { events.append(UInt8(ascii: ",")) }
            lastTs = nextEvent(into: &events) ?? lastTs
        }
        batchesWritten += 1
        let seq = Int64(batchesWritten)
        buffer.appendWriting(through: &scratch) { header in
            header.literal(#"{"seq":"#)
            header.integer(seq)
            header.literal(#","sent_at":"#)
            header.integer(lastTs + 250)
            header.literal(#","events":["#)
        }
        buffer.append(contentsOf: events)
        buffer.append(contentsOf: "]}\n".utf8)
        return true
    }

    /// Appends the next event as one JSON object without a newline and returns its `ts`, or
    /// returns nil when all events have been written. Batch framing is the caller's.
    public mutating func nextEvent(into buffer: inout [UInt8]) -> Int64? {
        guard eventsWritten < options.events else { return nil }
        // Let every visitor arriving before the earliest pending event in first.
        while plannedEvents < options.events,
              queue.top.map({ arrivals.next <= window.lowerBound + VisitorQueue.offset(of: $0) }) ?? true {
            spawnVisitor()
        }
        guard let top = queue.top else {
            preconditionFailure("visitors planned \(plannedEvents) events but wrote only \(eventsWritten)")
        }
        let slot = VisitorQueue.slot(of: top)
        var visitor = visitors[slot]
        let draft = visitor.nextEvent(&rng, catalog: catalog, nextOrder: &nextOrder)
        let catalog = self.catalog
        buffer.appendWriting(through: &scratch) { EventEncoder.write(draft, catalog: catalog, to: &$0) }
        if visitor.advance(model, &rng) {
            queue.replaceTop(VisitorQueue.key(offset: visitor.nextTs - window.lowerBound, slot: slot))
            visitors[slot] = visitor
        } else {
            queue.popTop()
            freeSlots.append(slot)
        }
        eventsWritten += 1
        return draft.ts
    }

    /// Plans the visitor arriving next and, when some of its events fall in the window, makes it
    /// active. About 30 % of visitors have an account (a tenth of those share one with an
    /// earlier visitor: the same person on another device); half of the account holders whose
    /// earlier visits were before the window are still logged in.
    private mutating func spawnVisitor() {
        let arrival = arrivals.next
        let plan = VisitorPlan(arrival: arrival, seed: rng.next(), model: model, window: window)
        if plan.eventsInWindow > 0 {
            let budget = min(plan.eventsInWindow, options.events - plannedEvents)
            plannedEvents += budget
            let returning = plan.schedule.visitsLeft < plan.schedule.visits - 1
            var user: Int32 = 0
            if rng.percent(30) {
                if accounts > 0, rng.percent(10) {
                    user = Int32(1 + rng.below(Int(accounts)))
                } else {
                    accounts += 1
                    user = accounts
                }
            }
            let visitor = Visitor(
                plan: plan, budget: budget, anonymousID: rng.uuid(), user: user,
                loggedIn: returning && user != 0 && rng.percent(50), returning: returning)
            let slot: Int
            if let free = freeSlots.popLast() {
                slot = free
                visitors[slot] = visitor
            } else {
                slot = visitors.count
                precondition(UInt64(slot) <= VisitorQueue.slotMask, "more than 2^25 visitors active at once")
                visitors.append(visitor)
            }
            queue.push(VisitorQueue.key(offset: plan.firstTs - window.lowerBound, slot: slot))
        }
        if plannedEvents < options.events {
            arrivals.advance(remainingEvents: options.events - plannedEvents, &rng)
        }
    }
}
