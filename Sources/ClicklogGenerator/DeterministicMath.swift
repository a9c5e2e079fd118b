/// The few transcendental functions the generator needs, computed with exactly rounded IEEE
/// operations (+ − × ÷ and the exponent/significand split) only.
///
/// `Foundation.log` comes from the platform's libm, whose last bit differs between glibc and
/// Darwin; a one-ulp difference would change an arrival time and then every byte after it. These
/// versions are slower than libm but give the same bits everywhere, and they run once per
/// visitor, not per event.
enum DeterministicMath {
    private static let ln2 = 0.693_147_180_559_945_3
    private static let sqrt2 = 1.414_213_562_373_095_1

    /// The natural logarithm of a positive, finite `x`, to within a few ulps.
    static func ln(_ x: Double) -> Double {
        precondition(x > 0 && x.isFinite, "ln needs a positive finite argument")
        // x = m · 2^e with m in [1, 2); then fold m into [√½, √2) so the series converges fast.
        var m = x.significand
        var e = Double(x.exponent)
        if m > sqrt2 {
            m /= 2
            e += 1
        }
        // ln m = 2 atanh z = 2 (z + z³/3 + z⁵/5 + …), z = (m − 1)/(m + 1), |z| ≤ 0.172.
        let z = (m - 1) / (m + 1)
        let z2 = z * z
        var sum = 0.0
        var k = 27.0
        while k >= 1 {
            sum = sum * z2 + 1 / k
            k -= 2
        }
        return 2 * z * sum + e * ln2
    }

    /// A draw from the exponential distribution with mean 1, by inversion.
    static func exponential(_ rng: inout Xoshiro256StarStar) -> Double {
        -ln(rng.unitOpenBelow())
    }
}
