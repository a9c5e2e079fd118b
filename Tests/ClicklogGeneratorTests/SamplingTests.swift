import Foundation
import Testing

@testable import ClicklogGenerator

@Suite struct SamplingTests {
    @Test func deterministicLogarithmAgreesWithLibm() {
        var rng = Xoshiro256StarStar(seed: 4)
        for x in [1e-300, 1e-16, 0x1p-53, 0.001, 0.5, 0.7071067811865476, 0.75, 1 - 0x1p-53, 1, 2, 1e10] {
            #expect(abs(DeterministicMath.ln(x) - Foundation.log(x)) <= 4 * abs(Foundation.log(x)).ulp + 1e-300, "ln(\(x))")
        }
        for _ in 0..<10_000 {
            let x = rng.unitOpenBelow()
            #expect(abs(DeterministicMath.ln(x) - Foundation.log(x)) <= max(4 * abs(Foundation.log(x)).ulp, 1e-16))
        }
    }

    @Test func exponentialDrawsHaveMeanOne() {
        var rng = Xoshiro256StarStar(seed: 5)
        let n = 200_000
        let mean = (0..<n).reduce(0.0) { sum, _ in sum + DeterministicMath.exponential(&rng) } / Double(n)
        #expect(abs(mean - 1) < 0.01)
    }

    @Test func aliasTableDrawsInProportionToWeights() {
        let table = AliasTable(weights: [1, 0, 3, 6])
        var rng = Xoshiro256StarStar(seed: 6)
        var counts = [0, 0, 0, 0]
        for _ in 0..<100_000 { counts[table.sample(&rng)] += 1 }
        #expect(counts[1] == 0)
        for (i, share) in [0.1, 0, 0.3, 0.6].enumerated() {
            #expect(abs(Double(counts[i]) / 100_000 - share) < 0.01, "\(counts)")
        }
    }

    @Test func rangeMixtureKeepsEachBandsShare() {
        let mixture = RangeMixture([(1, 0...9), (3, 100...100)])
        var rng = Xoshiro256StarStar(seed: 7)
        let draws = (0..<40_000).map { _ in mixture.sample(&rng) }
        #expect(draws.allSatisfy { (0...9).contains($0) || $0 == 100 })
        #expect(abs(Double(draws.count { $0 == 100 }) / 40_000 - 0.75) < 0.01)
        #expect(Set(draws.filter { $0 < 100 }).count == 10)
        #expect(mixture.mean == 0.25 * 4.5 + 0.75 * 100)
    }

    @Test func thinkTimesStayBelowTheSessionBoundary() {
        let model = TrafficModel()
        var rng = Xoshiro256StarStar(seed: 8)
        for _ in 0..<50_000 {
            let gap = model.eventGap.sample(&rng)
            #expect(gap >= 1_000 && gap <= 10 * TrafficModel.minute)
        }
    }

    @Test func returnsAfterADayComeBackAtTheDailyCycle() {
        let model = TrafficModel()
        var rng = Xoshiro256StarStar(seed: 9)
        var hours = [Int](repeating: 0, count: 24)
        var now = TrafficModel.day * 20_000 + 3 * TrafficModel.hour
        for _ in 0..<50_000 {
            let gap = model.idleGap(after: now, visits: 2, &rng)
            #expect(gap >= 25 * TrafficModel.minute)
            now += gap
            if gap > 12 * TrafficModel.hour { hours[Int(now % TrafficModel.day / TrafficModel.hour)] += 1 }
        }
        #expect(hours[19] > 4 * hours[3], "\(hours)")
    }

    @Test func visitorPlansCountOnlyEventsInsideTheWindow() {
        let model = TrafficModel()
        let window: Range<Int64> = 100 * TrafficModel.day..<101 * TrafficModel.day
        var seeds = Xoshiro256StarStar(seed: 10)
        for arrival in stride(from: 90 * TrafficModel.day, to: 101 * TrafficModel.day, by: Int64.Stride(7 * TrafficModel.hour)) {
            let seed = seeds.next()
            let plan = VisitorPlan(arrival: arrival, seed: seed, model: model, window: window)
            // Count by running the whole schedule.
            var schedule = VisitSchedule(seed: seed, arrival: arrival, model: model)
            var inWindow = 0
            var visitStartedInWindow = false
            var step = VisitSchedule.Step.newVisit(gap: 0)
            repeat {
                if case .newVisit = step { visitStartedInWindow = schedule.plannedTs >= window.lowerBound }
                if visitStartedInWindow, schedule.plannedTs < window.upperBound { inWindow += 1 }
                step = schedule.advance(model)
            } while step != .finished
            #expect(plan.eventsInWindow == inWindow)
            if inWindow > 0 { #expect(window.contains(plan.firstTs)) }
        }
    }

    @Test func lifetimeProfileMatchesSampledVisitors() {
        let model = TrafficModel()
        var seeds = Xoshiro256StarStar(seed: 11)
        var events = 0
        var withinADay = 0
        let visitors = 20_000
        for _ in 0..<visitors {
            var schedule = VisitSchedule(seed: seeds.next(), arrival: 0, model: model)
            repeat {
                events += 1
                if schedule.plannedTs < TrafficModel.day { withinADay += 1 }
            } while schedule.advance(model) != .finished
        }
        let profile = LifetimeProfile.shared
        // A heavy tail: a 20 000-visitor sample is within about 10 % of the expectation.
        #expect(abs(Double(events) / Double(visitors) / profile.total - 1) < 0.1)
        #expect(abs(Double(withinADay) / Double(visitors) / profile.events(before: TrafficModel.day) - 1) < 0.05)
    }
}
