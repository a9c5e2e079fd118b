/// When one visitor's events happen, as a replayable stream: the number of visits, each visit's
/// length, the think time before each event and the idle gap before each return visit.
///
/// The schedule draws from its own generator, seeded per visitor, so it can be run twice: once
/// when the visitor arrives, to count how many of its events fall inside the time window (the
/// arrival process needs that count to hit the requested number of events exactly), and again
/// while its events are written. Both runs draw the same numbers in the same order because both
/// only ever call `advance`.
struct VisitSchedule: Sendable {
    private var rng: Xoshiro256StarStar
    /// Visits in the visitor's whole life.
    private(set) var visits: Int32
    /// Visits after the current one.
    private(set) var visitsLeft: Int32
    /// Events of the current visit after the current one.
    private(set) var eventsLeftInVisit: Int32
    /// The planned time of the current event: arrival plus every gap so far. Written events may
    /// be earlier (see `VisitorPlan`), but the schedule's own clock, and so every gap it draws,
    /// is the same in both runs.
    private(set) var plannedTs: Int64

    enum Step: Equatable {
        /// The next event belongs to the same visit, after this think time (ms).
        case sameVisit(gap: Int64)
        /// The next event opens a new visit, after this idle time (ms).
        case newVisit(gap: Int64)
        /// The visitor does not come back.
        case finished
    }

    /// A schedule positioned at the visitor's first event, at `arrival`. `visits` overrides the
    /// drawn number of visits (for measuring the model per number of visits).
    init(seed: UInt64, arrival: Int64, visits: Int? = nil, model: TrafficModel) {
        rng = Xoshiro256StarStar(seed: seed)
        plannedTs = arrival
        let drawn = model.visitsPerVisitor.sample(&rng) + 1
        self.visits = Int32(visits ?? drawn)
        visitsLeft = self.visits - 1
        eventsLeftInVisit = Int32(model.visitLength.sample(&rng)) - 1
    }

    /// Moves past the current event and says how far away the next one is.
    @inline(__always)
    mutating func advance(_ model: TrafficModel) -> Step {
        if eventsLeftInVisit > 0 {
            eventsLeftInVisit -= 1
            let gap = model.eventGap.sample(&rng)
            plannedTs += gap
            return .sameVisit(gap: gap)
        }
        guard visitsLeft > 0 else { return .finished }
        visitsLeft -= 1
        let gap = model.idleGap(after: plannedTs, visits: Int(visits), &rng)
        plannedTs += gap
        eventsLeftInVisit = Int32(model.visitLength.sample(&rng)) - 1
        return .newVisit(gap: gap)
    }
}

/// What the first run of a visitor's schedule found out about the time window.
struct VisitorPlan {
    /// The schedule positioned at the first event of the first visit that starts in the window.
    var schedule: VisitSchedule
    /// That event's planned time.
    var firstTs: Int64
    /// How many planned events fall in the window: every event of every visit that starts at or
    /// after the window's start, up to the window's end. Zero: the visitor is not needed.
    var eventsInWindow: Int

    /// Plans a visitor arriving at `arrival`. Visits that start before `window` are skipped
    /// whole (they happened before the data begins); events at or after its end are cut off.
    ///
    /// When the visitor's events are written, follow-up events (the page view after a click)
    /// come sooner than their planned think time, never later, so every written event is at or
    /// before its planned time and stays inside the window.
    init(arrival: Int64, seed: UInt64, model: TrafficModel, window: Range<Int64>) {
        var schedule = VisitSchedule(seed: seed, arrival: arrival, model: model)
        var visitStart = true
        var found: VisitSchedule?
        var count = 0
        events: while schedule.plannedTs < window.upperBound {
            if found == nil, visitStart, schedule.plannedTs >= window.lowerBound {
                found = schedule
            }
            if found != nil { count += 1 }
            switch schedule.advance(model) {
            case .sameVisit: visitStart = false
            case .newVisit: visitStart = true
            case .finished: break events
            }
        }
        self.schedule = found ?? schedule
        self.firstTs = found?.plannedTs ?? arrival
        self.eventsInWindow = count
    }
}
