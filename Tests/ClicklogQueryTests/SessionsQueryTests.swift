import ClicklogEvents
import ClicklogQuery
import Testing

@Suite struct SessionsQueryTests {
    let t0 = at("2025-03-03T10:00:00Z")

    @Test func gapOfExactlyThirtyMinutesStaysInTheSession() throws {
        let r = try engine([ev("page_view", t0, "a"), ev("page_view", t0 + 30 * minute, "a")]).sessions(SessionsQuery())
        #expect(r.total.sessions == 1)
        #expect(r.total.meanDurationS == 1800)
        #expect(r.total.bounceRate == 0)
        #expect(r.total.meanEvents == 2)
    }

    @Test func gapOfThirtyMinutesAndOneMillisecondSplits() throws {
        let r = try engine([ev("page_view", t0, "a"), ev("page_view", t0 + 30 * minute + 1, "a")]).sessions(SessionsQuery())
        #expect(r.total.sessions == 2)
        #expect(r.total.meanDurationS == 0)
        #expect(r.total.bounceRate == 1)
    }

    @Test func idleFlagChangesTheGap() throws {
        let events = [ev("page_view", t0, "a"), ev("page_view", t0 + 10 * minute, "a")]
        #expect(try engine(events).sessions(SessionsQuery(idle: 5 * minute)).total.sessions == 2)
        #expect(try engine(events).sessions(SessionsQuery(idle: 10 * minute)).total.sessions == 1)
    }

    @Test func bounceIsASessionWithExactlyOneEvent() throws {
        let events = [
            ev("page_view", t0, "a"),
            ev("page_view", t0, "b"), ev("click", t0 + 1000, "b"),
            ev("page_view", t0, "c"), ev("page_view", t0 + 2 * hour, "c"),
        ]
        let r = try engine(events).sessions(SessionsQuery())
        #expect(r.total.sessions == 4)
        #expect(r.total.bounces == 3)
        #expect(r.total.bounceRate == 0.75)
        #expect(r.total.meanEvents == 5.0 / 4)
    }

    @Test func durationIsLastMinusFirstAndMedianIsInterpolated() throws {
        let events = [
            ev("a", t0, "a"), ev("a", t0 + 10_000, "a"),
            ev("a", t0, "b"), ev("a", t0 + 20_000, "b"),
            ev("a", t0, "c"), ev("a", t0 + 25_000, "c"), ev("a", t0 + 40_000, "c"),
            ev("a", t0, "d"), ev("a", t0 + 1_001, "d"),
        ]
        let r = try engine(events).sessions(SessionsQuery())
        #expect(r.total.sessions == 4)
        // Durations 10, 20, 40, 1.001 s: median (10 + 20) / 2.
        #expect(r.total.medianDurationS == 15)
        #expect(r.total.meanDurationS == (10 + 20 + 40 + 1.001) / 4)
    }

    @Test func outOfOrderArrivalIsSortedPerVisitor() throws {
        // Arrival order scrambled across blocks of two events.
        let events = [
            ev("a", t0 + 50 * minute, "a"), ev("a", t0, "b"),
            ev("a", t0, "a"), ev("a", t0 + 25 * minute, "a"),
            ev("a", t0 + 100 * minute, "a"), ev("a", t0 + 1, "b"),
        ]
        let r = try engine(events, blockRows: 2).sessions(SessionsQuery())
        // a: 0, 25, 50 (one session, 50 min), then 100 (gap 50 min: a new one); b: one session.
        #expect(r.total.sessions == 3)
        #expect(r.total.bounces == 1)
        #expect(r.total.meanDurationS == (3000 + 0 + 0.001) / 3)
    }

    /// A session that runs through three blocks of two events, with a gap inside the middle
    /// block: the join across block edges (the ordered pass) must give what one block gives.
    @Test func sessionsJoinAcrossBlockEdges() throws {
        let events = [
            ev("a", t0, "a"), ev("a", t0, "b"),
            ev("a", t0 + 20 * minute, "a"), ev("a", t0 + 40 * minute, "a"),  // a: 0, 20, 40 min
            ev("a", t0 + 2 * hour, "a"), ev("a", t0 + 2 * hour + 10 * minute, "a"),  // gap: a new one
            ev("a", t0 + 2 * hour + 30 * minute, "a"), ev("a", t0 + 31 * minute, "b"),  // b: gap of 31 min
        ]
        for blockRows in [1, 2, 3, 8] {
            let r = try engine(events, blockRows: blockRows).sessions(SessionsQuery())
            // a: [0, 40 min] 3 events, [2 h, 2 h 30] 3 events; b: two bounces.
            #expect(r.total.sessions == 4, "blocks of \(blockRows)")
            #expect(r.total.bounces == 2)
            #expect(r.total.events == 8)
            #expect(r.total.meanDurationS == (2400 + 1800) / 4.0)
        }
    }

    @Test func outOfOrderArrivalWithinOneBlockIsSorted() throws {
        // In one block: a's third event is earlier than its second; b is in order.
        let events = [
            ev("a", t0, "a"), ev("a", t0 + 50 * minute, "a"), ev("a", t0 + 25 * minute, "a"),
            ev("a", t0, "b"), ev("a", t0 + 40 * minute, "b"),
            ev("a", t0 + 60 * minute, "a"),
        ]
        for blockRows in [3, 6] {
            let r = try engine(events, blockRows: blockRows).sessions(SessionsQuery())
            // a sorted: 0, 25, 50, 60 min, one session of an hour; b: two bounces.
            #expect(r.total.sessions == 3, "blocks of \(blockRows)")
            #expect(r.total.bounces == 2)
            #expect(r.total.meanDurationS == 3600 / 3.0)
        }
    }

    @Test func equalTimesAreInOrder() throws {
        let events = [ev("a", t0, "a"), ev("a", t0, "a"), ev("a", t0 + minute, "a"), ev("a", t0 + minute, "a")]
        for blockRows in [1, 2, 4] {
            let r = try engine(events, blockRows: blockRows).sessions(SessionsQuery())
            #expect(r.total.sessions == 1)
            #expect(r.total.events == 4)
            #expect(r.total.meanDurationS == 60)
        }
    }

    @Test func sameAnonymousIDOnTwoSitesIsTwoVisitors() throws {
        let events = [ev("a", t0, "v", site: "shop"), ev("a", t0 + minute, "v", site: "blog")]
        let r = try engine(events).sessions(SessionsQuery())
        #expect(r.total.sessions == 2)
        #expect(try engine(events, site: "blog").sessions(SessionsQuery()).total.sessions == 1)
    }

    @Test func sessionBelongsToTheDayOfItsFirstEventInTheZone() throws {
        // Starts 23:50 UTC on the 3rd, ends 00:10 on the 4th.
        let start = at("2025-03-03T23:50:00Z")
        let events = [ev("a", start, "a"), ev("a", start + 20 * minute, "a"), ev("a", start + 15 * minute, "b")]
        let utc = try engine(events).sessions(SessionsQuery())
        #expect(utc.byDay.map(\.day) == ["2025-03-03", "2025-03-04"])
        #expect(utc.byDay.map(\.stats.sessions) == [1, 1])
        let berlin = try engine(events, zone: TimeZoneOffset("Europe/Berlin")!).sessions(SessionsQuery())
        #expect(berlin.byDay.map(\.day) == ["2025-03-04"])
        #expect(berlin.byDay.map(\.stats.sessions) == [2])
        let newYork = try engine(events, zone: TimeZoneOffset("-05:00")!).sessions(SessionsQuery())
        #expect(newYork.byDay.map(\.day) == ["2025-03-03"])
    }

    @Test func dayFollowsDaylightSavingTime() throws {
        // Berlin: CET (+1) until 2025-03-30T01:00Z, CEST (+2) after.
        let zone = TimeZoneOffset("Europe/Berlin")!
        let events = [
            ev("a", at("2025-03-29T22:59:00Z"), "a"),  // 23:59 CET, the 29th
            ev("a", at("2025-03-30T22:30:00Z"), "b"),  // 00:30 CEST, the 31st
            ev("a", at("2025-03-30T21:59:00Z"), "c"),  // 23:59 CEST, the 30th
        ]
        let r = try engine(events, zone: zone).sessions(SessionsQuery())
        #expect(r.byDay.map(\.day) == ["2025-03-29", "2025-03-30", "2025-03-31"])
    }

    @Test func rangeSelectsFromInclusiveToExclusiveBeforeSessionizing() throws {
        let events = [
            ev("a", t0 - 1, "a"), ev("a", t0, "a"), ev("a", t0 + minute, "a"),
            ev("a", t0 + hour - 1, "b"), ev("a", t0 + hour, "b"),
        ]
        let r = try engine(events, range: TimeRange(from: t0, to: t0 + hour)).sessions(SessionsQuery())
        #expect(r.total.sessions == 2)
        #expect(r.total.events == 3)
        #expect(r.total.meanDurationS == 30)
    }

    @Test func emptyResultHasNoMeans() throws {
        let r = try engine([ev("a", t0, "a")], range: TimeRange(from: t0 + 1)).sessions(SessionsQuery())
        #expect(r.total.sessions == 0)
        #expect(r.total.meanDurationS == nil)
        #expect(r.json.text() == #"{"sessions":0,"mean_duration_s":null,"median_duration_s":null,"bounce_rate":null,"mean_events":null,"by_day":[]}"#)
    }

    @Test func jsonHasTheKeysOfTheSpecInOrder() throws {
        let r = try engine([ev("a", t0, "a"), ev("a", t0 + 90_000, "a"), ev("a", t0, "b")]).sessions(SessionsQuery())
        #expect(r.json.text() == #"{"sessions":2,"mean_duration_s":45,"median_duration_s":45,"bounce_rate":0.5,"mean_events":1.5,"by_day":[{"day":"2025-03-03","sessions":2}]}"#)
    }

    /// A hand-built day: sessions starting in hours 00, 09 (three, one of them spilling past
    /// 10:00), 10 and 23, and one visitor whose second session starts in hour 14.
    @Test func hourBucketsCountSessionsByTheHourOfTheirFirstEvent() throws {
        let day = at("2025-03-03T00:00:00Z")
        let events = [
            ev("a", day + 5 * minute, "a"),                                    // 00:05
            ev("a", day + 9 * hour + 10 * minute, "b"),                        // 09:10 ... 10:05
            ev("a", day + 9 * hour + 40 * minute, "b"), ev("a", day + 10 * hour + 5 * minute, "b"),
            ev("a", day + 9 * hour + 59 * minute, "c"),                        // 09:59
            ev("a", day + 9 * hour, "d"),                                      // 09:00
            ev("a", day + 10 * hour, "e"), ev("a", day + 10 * hour + minute, "e"),  // 10:00
            ev("a", day + 14 * hour + 30 * minute, "e"),                       // 14:30, a new session
            ev("a", day + 23 * hour + 59 * minute, "f"),                       // 23:59
        ]
        let byDay = try engine(events, blockRows: 3).sessions(SessionsQuery())
        let byHour = try engine(events, blockRows: 3).sessions(SessionsQuery(bucket: .hour))
        let expected = [("2025-03-03T00:00", 1), ("2025-03-03T09:00", 3), ("2025-03-03T10:00", 1),
                        ("2025-03-03T14:00", 1), ("2025-03-03T23:00", 1)]
        #expect(byHour.byHour.map(\.hour) == expected.map(\.0))
        #expect(byHour.byHour.map(\.stats.sessions) == expected.map(\.1))
        #expect(byHour.byHour.map(\.stats.sessions).reduce(0, +) == byDay.total.sessions)
        #expect(byHour.byHour[1].stats.events == 5)
        #expect(byHour.byHour[1].stats.bounces == 2)
        // The day buckets and the JSON (semantics.md) are the same with hour buckets.
        #expect(byHour.byDay == byDay.byDay)
        #expect(byHour.total == byDay.total)
        #expect(byHour.json.text() == byDay.json.text())
        #expect(byDay.byHour.isEmpty)
    }

    @Test func hourBucketsAreLocalClockHoursOfTheZone() throws {
        // 23:30 UTC on the 2nd is 00:30 on the 3rd in Berlin (CET, +1) and 18:30 on the 2nd at -05:00.
        let events = [ev("a", at("2025-03-02T23:30:00Z"), "a"), ev("a", at("2025-03-03T08:15:00Z"), "b")]
        let berlin = try engine(events, zone: TimeZoneOffset("Europe/Berlin")!).sessions(SessionsQuery(bucket: .hour))
        #expect(berlin.byHour.map(\.hour) == ["2025-03-03T00:00", "2025-03-03T09:00"])
        #expect(berlin.byDay.map(\.day) == ["2025-03-03"])
        let newYork = try engine(events, zone: TimeZoneOffset("-05:00")!).sessions(SessionsQuery(bucket: .hour))
        #expect(newYork.byHour.map(\.hour) == ["2025-03-02T18:00", "2025-03-03T03:00"])
        #expect(newYork.byDay.map(\.day) == ["2025-03-02", "2025-03-03"])
    }
}
