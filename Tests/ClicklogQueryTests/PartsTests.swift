import ClicklogEvents
@testable import ClicklogQuery
import Testing

@Suite struct GlobTests {
    @Test func starMatchesAnyRunIncludingSlashesAndNothing() {
        #expect(Glob("/product/*").matches("/product/12"))
        #expect(Glob("/product/*").matches("/product/"))
        #expect(Glob("/product/*").matches("/product/a/b"))
        #expect(!Glob("/product/*").matches("/products/1"))
        #expect(Glob("*").matches(""))
        #expect(Glob("/a*b*c").matches("/aXbYbZc"))
        #expect(!Glob("/a*b*c").matches("/aXbYbZ"))
        #expect(Glob("/checkout").matches("/checkout"))
        #expect(!Glob("/checkout").matches("/checkout/"))
    }
}

@Suite struct URLPartsTests {
    @Test func pathDropsQueryAndFragment() {
        #expect(URLParts.path("https://shop.example/product/12?ref=x#top") == "/product/12")
        #expect(URLParts.path("https://shop.example") == "/")
        #expect(URLParts.path("https://shop.example?x=1") == "/")
        #expect(URLParts.path("/cart?x=1") == "/cart")
        #expect(URLParts.path("https://shop.example/a#b?c") == "/a")
        #expect(URLParts.path("") == "")
    }

    @Test func hostDropsUserAndPort() {
        #expect(URLParts.host("https://www.google.com/search?q=1") == "www.google.com")
        #expect(URLParts.host("http://user@host.example:8080/x") == "host.example")
        #expect(URLParts.host("https://news.example") == "news.example")
        #expect(URLParts.host("/relative") == nil)
    }
}

@Suite struct TimeTests {
    let now = at("2025-03-05T15:30:00Z")

    @Test func timeExpressionsAcceptTheSpecsForms() {
        #expect(TimeExpression.milliseconds("2025-03-03T10:00:00Z", now: now) == at("2025-03-03T10:00:00Z"))
        #expect(TimeExpression.milliseconds("2025-03-03", now: now) == at("2025-03-03T00:00:00Z"))
        #expect(TimeExpression.milliseconds("today", now: now) == at("2025-03-05T00:00:00Z"))
        #expect(TimeExpression.milliseconds("yesterday", now: now) == at("2025-03-04T00:00:00Z"))
        #expect(TimeExpression.milliseconds("7d", now: now) == now - 7 * 86_400_000)
        #expect(TimeExpression.milliseconds("24h", now: now) == now - 86_400_000)
        #expect(TimeExpression.milliseconds("2025-13-01", now: now) == nil)
        #expect(TimeExpression.milliseconds("last week", now: now) == nil)
    }

    @Test func datesAreMidnightInTheZone() {
        let berlin = TimeZoneOffset("Europe/Berlin")!
        #expect(TimeExpression.milliseconds("2025-03-03", now: now, zone: berlin) == at("2025-03-02T23:00:00Z"))
        #expect(TimeExpression.milliseconds("2025-07-03", now: now, zone: berlin) == at("2025-07-02T22:00:00Z"))
        #expect(TimeExpression.milliseconds("today", now: now, zone: TimeZoneOffset("-08:00")!) == at("2025-03-05T08:00:00Z"))
    }

    @Test func zonesParseAndRefuse() {
        #expect(TimeZoneOffset("UTC") == .utc)
        #expect(TimeZoneOffset("+05:30")!.offset(atUTC: 0) == 330 * 60_000)
        #expect(TimeZoneOffset("-0800")!.offset(atUTC: 0) == -480 * 60_000)
        #expect(TimeZoneOffset("Mars/Olympus") == nil)
        #expect(TimeZoneOffset("+25:00") == nil)
        let ny = TimeZoneOffset("America/New_York")!
        #expect(ny.offset(atUTC: at("2025-01-15T12:00:00Z")) == -5 * hour)
        #expect(ny.offset(atUTC: at("2025-07-15T12:00:00Z")) == -4 * hour)
    }

    @Test func bucketLabels() {
        #expect(TimeBucketer.dayLabel(0) == "1970-01-01")
        #expect(TimeBucketer.hourLabel(-1) == "1969-12-31T23:00")
    }
}

@Suite struct MedianTests {
    @Test func interpolatesEvenCountsLikeDuckDB() {
        var odd: [Int64] = [5, 1, 3]
        #expect(Median.interpolated(&odd) == 3)
        var even: [Int64] = [4, 1, 3, 2]
        #expect(Median.interpolated(&even) == 2.5)
        var none: [Int64] = []
        #expect(Median.interpolated(&none) == nil)
        var same = [Int64](repeating: 7, count: 1000)
        #expect(Median.interpolated(&same) == 7)
    }

    @Test func agreesWithSortingOnRandomArrays() {
        var rng = SystemRandomNumberGenerator()
        for n in [1, 2, 3, 10, 101, 1000] {
            var values = (0..<n).map { _ in Int64.random(in: 0..<50, using: &rng) }
            let sorted = values.sorted()
            let expected = n % 2 == 1 ? Double(sorted[n / 2]) : (Double(sorted[n / 2 - 1]) + Double(sorted[n / 2])) / 2
            #expect(Median.interpolated(&values) == expected)
        }
    }
}

@Suite struct MemoryLimitTests {
    @Test func sizesParse() {
        #expect(MemoryBudget.parse("512MiB") == 512 << 20)
        #expect(MemoryBudget.parse("2GB") == 2_000_000_000)
        #expect(MemoryBudget.parse("1.5g") == 1_500_000_000)
        #expect(MemoryBudget.parse("lots") == nil)
        #expect(MemoryBudget.parse("-1G") == nil)
    }

    @Test func queryOverTheLimitFailsWithAClearError() throws {
        let t0 = at("2025-03-03T10:00:00Z")
        let events = (0..<5000).map { ev("page_view", t0 + Int64($0), "v\($0 % 700)") }
        #expect(throws: Never.self) { try engine(events, memoryLimit: 8 << 20).sessions(SessionsQuery()) }
        do {
            _ = try engine(events, memoryLimit: 100_000).sessions(SessionsQuery())
            Issue.record("no error")
        } catch let error as QueryError {
            #expect(error.isMemoryLimit)
            #expect(!error.isUsage)
            #expect(error.description.contains("--memory-limit"))
        }
    }
}
