import ClicklogGenerator
import Testing

/// Visitors, sessions and logins in the generated traffic, against semantics.md's session rule
/// (a new session after more than 30 minutes idle).
@Suite struct GeneratedSessionTests {
    static let idle = 30 * TrafficModelConstants.minute

    /// Gaps between consecutive events of the same visitor.
    static let gaps: [Int64] = GeneratedTraffic.byVisitor.values.flatMap { events in
        zip(events, events.dropFirst()).map { $1.ts - $0.ts }
    }

    @Test func idleGapsStraddleTheThirtyMinuteBoundary() {
        let minute = TrafficModelConstants.minute
        let justUnder = Self.gaps.count { $0 > 25 * minute && $0 <= 30 * minute }
        let justOver = Self.gaps.count { $0 > 30 * minute && $0 < 40 * minute }
        let exactly = Self.gaps.count { $0 == 30 * minute }
        #expect(justUnder >= 100, "\(justUnder) gaps in (25, 30] min")
        #expect(justOver >= 100, "\(justOver) gaps in (30, 40) min")
        #expect(exactly >= 5, "\(exactly) gaps of exactly 30 min")
        // And the long returns: hours and days.
        #expect(Self.gaps.count { $0 > 6 * TrafficModelConstants.hour && $0 < TrafficModelConstants.day } >= 100)
        #expect(Self.gaps.count { $0 > 2 * TrafficModelConstants.day } >= 100)
    }

    @Test func sessionIDChangesExactlyWhenTheVisitorWasIdleForMoreThan30Minutes() {
        var mismatches = 0
        var sessions = 0
        for events in GeneratedTraffic.byVisitor.values {
            sessions += 1
            for (previous, next) in zip(events, events.dropFirst()) {
                let newSession = next.ts - previous.ts > Self.idle
                if newSession { sessions += 1 }
                if newSession != (next.sessionID != previous.sessionID) { mismatches += 1 }
            }
        }
        #expect(mismatches == 0)
        // So distinct session ids are exactly semantics.md's sessions.
        let ids = Set(GeneratedTraffic.events.map { "\($0.anonymousID) \($0.sessionID ?? "")" })
        #expect(ids.count == sessions)
    }

    @Test func visitorActivityIsHeavyTailed() {
        let counts = GeneratedTraffic.byVisitor.values.map(\.count).sorted(by: >)
        let median = counts[counts.count / 2]
        let topPercent = counts.prefix(counts.count / 100).reduce(0, +)
        #expect(counts.count > 1_000, "\(counts.count) visitors")
        #expect(counts[0] > 20 * median, "busiest \(counts[0]), median \(median)")
        #expect(Double(topPercent) > 0.1 * Double(GeneratedTraffic.events.count), "top 1 % of visitors")
        #expect(counts.count { $0 == 1 } > counts.count / 20, "single-event visitors")
    }

    @Test func loginSetsUserIDOnTheVisitorsLaterEvents() {
        var loggedIn = 0
        for events in GeneratedTraffic.byVisitor.values {
            guard let login = events.firstIndex(where: { $0.event == "login" }) else { continue }
            loggedIn += 1
            let user = events[login].userID
            #expect(user != nil && user!.hasPrefix("u_"))
            #expect(events[login...].allSatisfy { $0.userID == user })
            #expect(events[..<login].allSatisfy { $0.userID == nil })
        }
        #expect(loggedIn >= 50)
        let users = Set(GeneratedTraffic.events.compactMap(\.userID))
        #expect(users.count >= 100)
    }

    @Test func productPopularityIsZipfLike() {
        var views: [String: Int] = [:]
        for e in GeneratedTraffic.events where e.event == "page_view" && e.path?.hasPrefix("/product/") == true {
            views[e.path!, default: 0] += 1
        }
        let ranked = views.values.sorted(by: >)
        let total = ranked.reduce(0, +)
        // Head: the best seller gets a few percent; tail: most of the 2000 products are seen.
        #expect(Double(ranked[0]) > 0.01 * Double(total) && Double(ranked[0]) < 0.08 * Double(total))
        #expect(ranked[0] > 5 * ranked[99])
        #expect(views.count > 1_200)
    }
}
