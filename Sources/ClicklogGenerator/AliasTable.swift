/// Walker's alias method (in Vose's stable form): draws index `i` with probability
/// `weights[i] / sum(weights)` in constant time, one random number per draw.
///
/// Used for every discrete choice with more than a handful of outcomes (product popularity,
/// sessions per visitor, mixture buckets). Built with exactly rounded IEEE arithmetic only, so the
/// table, and therefore the generated traffic, is the same on every platform.
struct AliasTable: Sendable {
    /// Column i keeps i when the low 32 bits of the draw are below `threshold`, and otherwise
    /// gives `alias`. Full columns are their own alias. One array of 8-byte entries: a draw
    /// touches one cache line.
    private struct Column {
        var threshold: UInt32
        var alias: Int32
    }

    private let columns: [Column]

    var count: Int { columns.count }

    init(weights: [Double]) {
        precondition(!weights.isEmpty && weights.count < Int(Int32.max), "alias table needs 1..<2^31 weights")
        let n = weights.count
        let total = weights.reduce(0, +)
        precondition(total > 0, "alias table needs a positive weight")
        var scaled = weights.map { $0 * Double(n) / total }
        var columns = (0..<n).map { Column(threshold: 0, alias: Int32($0)) }
        var small: [Int] = []
        var large: [Int] = []
        for i in 0..<n {
            if scaled[i] < 1 { small.append(i) } else { large.append(i) }
        }
        while let s = small.popLast(), let l = large.last {
            columns[s] = Column(threshold: UInt32(scaled[s] * 0x1p32), alias: Int32(l))
            scaled[l] = (scaled[l] + scaled[s]) - 1
            if scaled[l] < 1 {
                large.removeLast()
                small.append(l)
            }
        }
        // Whatever is left is 1 up to rounding: full, its own alias (the initial entry).
        self.columns = columns
    }

    @inline(__always)
    func sample(_ rng: inout Xoshiro256StarStar) -> Int {
        let r = rng.next()
        let i = Int(truncatingIfNeeded: ((r >> 32) &* UInt64(columns.count)) >> 32)
        let column = columns[i]
        return UInt32(truncatingIfNeeded: r) < column.threshold ? i : Int(column.alias)
    }
}

extension AliasTable {
    /// Zipf's law over `count` ranks: rank k (from 1) has weight 1 / (k + offset)^exponent
    /// (with an offset, the Zipf–Mandelbrot law, which flattens the head as real popularity
    /// curves do). Exponents are 1, 1.5, 2 and 2.5, the ones that need no `pow` (which is not
    /// exactly rounded everywhere).
    static func zipf(count: Int, exponent: ZipfExponent, offset: Int = 0) -> AliasTable {
        AliasTable(weights: (1...count).map { rank in
            let k = Double(rank + offset)
            switch exponent {
            case .one: return 1 / k
            case .oneAndHalf: return 1 / (k * k.squareRoot())
            case .two: return 1 / (k * k)
            case .twoAndHalf: return 1 / (k * k * k.squareRoot())
            }
        })
    }

    enum ZipfExponent {
        case one, oneAndHalf, two, twoAndHalf
    }
}
