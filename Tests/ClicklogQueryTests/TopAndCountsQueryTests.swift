import ClicklogEvents
import ClicklogQuery
import Testing

@Suite struct TopQueryTests {
    let t0 = at("2025-03-03T10:00:00Z")

    @Test func rowsAreOrderedByEventsThenValueWithDistinctVisitors() throws {
        let events = [
            ev("page_view", t0, "a", url: "https://s/b"), ev("page_view", t0, "a", url: "https://s/b?x=1"),
            ev("page_view", t0, "b", url: "https://s/a"), ev("page_view", t0, "c", url: "https://s/a#f"),
            ev("page_view", t0, "a", url: "https://s/c"), ev("click", t0, "d", url: "https://s/c"),
            ev("page_view", t0, "a", site: "other", url: "https://s/c"),
        ]
        let r = try engine(events, blockRows: 3).top(TopQuery(dimension: .path))
        #expect(r.rows.map(\.value) == ["/c", "/a", "/b"])
        #expect(r.rows.map(\.events) == [3, 2, 2])
        // /c: (shop, a), (shop, d) and (other, a) are three visitors.
        #expect(r.rows.map(\.uniqueVisitors) == [3, 2, 1])
        #expect(r.json.text().hasPrefix(#"{"rows":[{"value":"/c","events":3,"unique_visitors":3}"#))
    }

    @Test func eventFilterAndLimit() throws {
        let events = [
            ev("page_view", t0, "a", url: "https://s/b"), ev("click", t0, "a", url: "https://s/a"),
            ev("click", t0, "b", url: "https://s/a"), ev("page_view", t0, "a", url: "https://s/c"),
        ]
        let r = try engine(events).top(TopQuery(dimension: .url, event: "page_view", limit: 1))
        #expect(r.rows == [.init(value: "https://s/b", events: 1, uniqueVisitors: 1)])
    }

    @Test func propDimensionSkipsEventsWithoutTheKey() throws {
        let events = [
            ev("signup", t0, "a", props: ["plan": "pro"]), ev("signup", t0, "b", props: ["plan": "pro"]),
            ev("signup", t0, "c", props: ["plan": "free"]), ev("signup", t0, "d"),
        ]
        let r = try engine(events).top(TopQuery(dimension: .prop("plan")))
        #expect(r.rows.map(\.value) == ["pro", "free"])
    }

    @Test func rangeAndSiteFilterRows() throws {
        let events = [
            ev("a", t0 - 1, "a"), ev("b", t0, "a"), ev("c", t0 + 1, "a", site: "blog"), ev("d", t0 + hour, "a"),
        ]
        let r = try engine(events, range: TimeRange(from: t0, to: t0 + hour), site: "shop").top(TopQuery(dimension: .event))
        #expect(r.rows.map(\.value) == ["b"])
    }
}

@Suite struct CountsQueryTests {
    @Test func dayIntervalsInTheZoneOrderedByIntervalThenKey() throws {
        let events = [
            ev("page_view", at("2025-03-03T22:30:00Z"), "a"), ev("click", at("2025-03-03T23:30:00Z"), "a"),
            ev("page_view", at("2025-03-03T10:00:00Z"), "b"), ev("click", at("2025-03-04T10:00:00Z"), "b"),
        ]
        let utc = try engine(events).counts(CountsQuery(interval: .day, by: .event))
        #expect(utc.rows == [
            .init(interval: "2025-03-03", key: "click", events: 1), .init(interval: "2025-03-03", key: "page_view", events: 2),
            .init(interval: "2025-03-04", key: "click", events: 1),
        ])
        let tokyo = try engine(events, zone: TimeZoneOffset("+09:00")!).counts(CountsQuery(interval: .day, by: .event))
        #expect(tokyo.rows.map(\.interval) == ["2025-03-03", "2025-03-04", "2025-03-04"])
        #expect(tokyo.rows.map(\.events) == [1, 2, 1])
    }

    @Test func hourIntervalsAndPathKeys() throws {
        let events = [
            // +05:30: local hours start at :30 UTC.
            ev("page_view", at("2025-03-03T10:29:59.999Z"), "a", url: "https://s/x?q"),
            ev("page_view", at("2025-03-03T10:30:00Z"), "a", url: "https://s/x"),
            ev("page_view", at("2025-03-03T11:00:00Z"), "a", url: "/y"),
            ev("click", at("2025-03-03T11:10:00Z"), "a"),
        ]
        let r = try engine(events, zone: TimeZoneOffset("+05:30")!).counts(CountsQuery(interval: .hour, by: .path))
        #expect(r.rows == [
            .init(interval: "2025-03-03T15:00", key: "/x", events: 1),
            .init(interval: "2025-03-03T16:00", key: "/x", events: 1),
            .init(interval: "2025-03-03T16:00", key: "/y", events: 1),
            .init(interval: "2025-03-03T16:00", key: nil, events: 1),
        ])
        #expect(r.json.text().hasPrefix(#"{"rows":[{"interval":"2025-03-03T15:00","key":"/x","events":1}"#))
    }

    @Test func bySiteWithBlocksOfSeveralSites() throws {
        let t = at("2025-03-03T10:00:00Z")
        let events = [ev("a", t, "a", site: "shop"), ev("a", t, "a", site: "blog"), ev("a", t, "b", site: "shop")]
        let r = try engine(events, blockRows: 2).counts(CountsQuery(interval: .day, by: .site))
        #expect(r.rows.map(\.key) == ["blog", "shop"])
        #expect(r.rows.map(\.events) == [1, 2])
    }
}
