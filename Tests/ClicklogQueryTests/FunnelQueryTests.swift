import ClicklogEvents
import ClicklogQuery
import Testing

@Suite struct FunnelQueryTests {
    let t0 = at("2025-03-03T00:00:00Z")

    func levels(_ events: [Event], _ steps: [FunnelStep], window: Int64 = hour, by: FunnelKey = .visitor, blockRows: Int = 1024) throws -> [Int] {
        try engine(events, blockRows: blockRows).funnel(FunnelQuery(steps: steps, window: window, by: by)).steps.map(\.count)
    }

    @Test func latestStepOneRestartsTheChain() throws {
        // semantics.md: A 0:00, A 0:40, B 0:50, C 1:10 reaches level 3 with a 1 h window.
        let events = [ev("A", t0, "v"), ev("A", t0 + 40 * minute, "v"), ev("B", t0 + 50 * minute, "v"), ev("C", t0 + 70 * minute, "v")]
        #expect(try levels(events, steps("A", "B", "C")) == [1, 1, 1])
    }

    @Test func windowIsInclusiveAndMeasuredFromStepOne() throws {
        let exact = [ev("A", t0, "v"), ev("B", t0 + 30 * minute, "v"), ev("C", t0 + hour, "v")]
        #expect(try levels(exact, steps("A", "B", "C")) == [1, 1, 1])
        let late = [ev("A", t0, "v"), ev("B", t0 + 30 * minute, "v"), ev("C", t0 + hour + 1, "v")]
        #expect(try levels(late, steps("A", "B", "C")) == [1, 1, 0])
    }

    @Test func oneEventMayFillSeveralSteps() throws {
        // A /checkout page view matches steps 1 and 2; matches at one ts go in step order.
        let events = [ev("page_view", t0, "v", url: "https://shop.example/checkout")]
        #expect(try levels(events, steps("page_view", "page_view path=/checkout")) == [1, 1])
        // In the other order it cannot: step 2 needs a chain that only step 1 starts.
        #expect(try levels(events, steps("page_view path=/checkout", "page_view path=/cart")) == [1, 0])
    }

    @Test func equalTimestampsAreTakenInStepOrderWhateverTheArrival() throws {
        let events = [ev("B", t0, "v"), ev("A", t0, "v")]
        #expect(try levels(events, steps("A", "B")) == [1, 1])
    }

    @Test func stepsMustComeInOrder() throws {
        let events = [ev("B", t0, "v"), ev("A", t0 + minute, "v")]
        #expect(try levels(events, steps("A", "B")) == [1, 0])
    }

    @Test func outOfOrderArrivalIsSortedByTime() throws {
        let events = [
            ev("C", t0 + 20 * minute, "v"), ev("x", t0, "w"),
            ev("A", t0, "v"), ev("y", t0, "w"),
            ev("B", t0 + 10 * minute, "v"),
        ]
        #expect(try levels(events, steps("A", "B", "C"), blockRows: 2) == [1, 1, 1])
    }

    @Test func byUserFollowsUserIDAcrossBrowsersAndDropsEventsWithoutOne() throws {
        let events = [
            ev("A", t0, "phone", user: "u1"), ev("B", t0 + minute, "laptop", user: "u1"),
            ev("A", t0, "guest"), ev("B", t0 + minute, "guest"),
        ]
        // By browser: phone reaches A, laptop has only B (level 0), guest reaches B.
        #expect(try levels(events, steps("A", "B"), by: .visitor) == [2, 1])
        #expect(try levels(events, steps("A", "B"), by: .user) == [1, 1])
    }

    @Test func pathGlobMatchesThePathWithoutQueryOrFragment() throws {
        let events = [
            ev("page_view", t0, "a", url: "https://shop.example/product/12?ref=mail#top"),
            ev("page_view", t0, "b", url: "/product/7"),
            ev("page_view", t0, "c", url: "https://shop.example/products"),
            ev("page_view", t0, "d"),
        ]
        #expect(try levels(events, steps("page_view path=/product/*")) == [2])
        #expect(try levels(events, steps("page_view path=*/12")) == [1])
    }

    @Test func propAndSelectorConditionsMustAllHold() throws {
        let events = [
            ev("click", t0, "a", selector: "button.buy", props: ["plan": "pro"]),
            ev("click", t0, "b", selector: "button.buy", props: ["plan": "free"]),
            ev("click", t0, "c", selector: "a.nav", props: ["plan": "pro"]),
            ev("click", t0, "d", selector: "button.buy"),
        ]
        #expect(try levels(events, steps("click selector=button.* prop.plan=pro")) == [1])
        #expect(try levels(events, steps("click prop.plan=pro")) == [2])
        #expect(try levels(events, steps("click selector=button.*")) == [3])
    }

    @Test func conversionAndFromPreviousAreRatiosOfCounts() throws {
        var events: [Event] = []
        for v in 0..<4 { events.append(ev("A", t0, "v\(v)")) }
        for v in 0..<2 { events.append(ev("B", t0 + minute, "v\(v)")) }
        events.append(ev("C", t0 + 2 * minute, "v0"))
        let r = try engine(events).funnel(FunnelQuery(steps: steps("A", "B", "C")))
        #expect(r.steps.map(\.count) == [4, 2, 1])
        #expect(r.steps.map(\.conversion) == [1, 0.5, 0.25])
        #expect(r.steps.map(\.fromPrevious) == [1, 0.5, 0.5])
        #expect(r.json.text() == #"{"window_s":3600,"steps":[{"step":"A","count":4,"conversion":1,"from_previous":1,"median_s_from_first":0},{"step":"B","count":2,"conversion":0.5,"from_previous":0.5,"median_s_from_first":60},{"step":"C","count":1,"conversion":0.25,"from_previous":0.5,"median_s_from_first":120}]}"#)
    }

    @Test func medianTimeIsTakenOnTheFirstChainThatReachedTheStep() throws {
        let events = [
            ev("A", t0, "a"), ev("B", t0 + 10_000, "a"), ev("B", t0 + 50_000, "a"),
            ev("A", t0, "b"), ev("B", t0 + 30_000, "b"),
            ev("A", t0, "c"),
        ]
        let r = try engine(events).funnel(FunnelQuery(steps: steps("A", "B")))
        #expect(r.steps.map(\.medianSeconds) == [0, 20])
    }

    @Test func breakdownSplitsByTheFirstStepOneEventsValue() throws {
        let events = [
            ev("A", t0, "a", referrer: "https://www.google.com/search?q=x"), ev("B", t0 + minute, "a"),
            ev("A", t0, "b", referrer: "https://news.example/"), ev("A", t0 + 2 * minute, "b", referrer: "https://www.google.com/"),
            ev("A", t0, "c", referrer: "https://www.google.com/"),
            ev("A", t0, "d"), ev("B", t0 + minute, "d"),
        ]
        let r = try engine(events).funnel(FunnelQuery(steps: steps("A", "B"), breakdown: .referrerHost))
        #expect(r.groups.map(\.value) == ["www.google.com", "news.example", nil])
        #expect(r.groups.map { $0.steps.map(\.count) } == [[2, 1], [1, 0], [1, 1]])
    }

    @Test func badStepsSayWhatIsWrong() {
        #expect(throws: Never.self) { try FunnelStep.parse("page_view path=\"/a b\"").get() }
        guard case let .failure(e) = FunnelStep.parse("path=/x") else { Issue.record("parsed"); return }
        #expect(e.description.contains("event name"))
        guard case let .failure(e2) = FunnelStep.parse("page_view url=/x") else { Issue.record("parsed"); return }
        #expect(e2.description.contains("unknown condition 'url='"))
    }
}
