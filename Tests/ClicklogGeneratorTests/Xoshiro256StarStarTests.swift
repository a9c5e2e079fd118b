import ClicklogGenerator
import Testing

/// The generator's PRNG against the reference implementations' published outputs: if these
/// change, every seed's traffic changes.
@Suite struct Xoshiro256StarStarTests {
    @Test func matchesTheReferenceOutputs() {
        // xoshiro256** from state {1, 2, 3, 4} (as in rand_xoshiro's test of the C reference).
        var rng = Xoshiro256StarStar(state: (1, 2, 3, 4))
        let expected: [UInt64] = [
            11520, 0, 1509978240, 1215971899390074240, 1216172134540287360,
            607988272756665600, 16172922978634559625, 8476171486693032832,
            10595114339597558777, 2904607092377533576,
        ]
        #expect((0..<10).map { _ in rng.next() } == expected)
    }

    @Test func splitMix64MatchesTheReferenceOutputs() {
        var mixer = SplitMix64(state: 1_234_567)
        let expected: [UInt64] = [
            6457827717110365317, 3203168211198807973, 9817491932198370423,
            4593380528125082431, 16408922859458223821,
        ]
        #expect((0..<5).map { _ in mixer.next() } == expected)
    }

    @Test func boundedDrawsStayInRangeAndCoverIt() {
        var rng = Xoshiro256StarStar(seed: 99)
        var seen = Set<Int>()
        for _ in 0..<10_000 {
            let v = rng.below(37)
            #expect((0..<37).contains(v))
            seen.insert(v)
        }
        #expect(seen.count == 37)
        for _ in 0..<1_000 {
            #expect((-5...5).contains(rng.inRange(-5...5)))
            let u = rng.unitOpenBelow()
            #expect(u > 0 && u <= 1)
        }
    }

    @Test func uuidsHaveVersion4AndTheRFCVariant() {
        var rng = Xoshiro256StarStar(seed: 1)
        for _ in 0..<1_000 {
            let uuid = rng.uuid()
            #expect(uuid.high >> 12 & 0xF == 4)
            #expect(uuid.low >> 62 == 0b10)
        }
    }
}
