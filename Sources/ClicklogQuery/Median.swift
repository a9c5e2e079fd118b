/// The interpolated median, as DuckDB's `median` (`quantile_cont(x, 0.5)`): the middle value
/// of an odd count, the mean of the two middle values of an even count, nil when empty.
///
/// Found by selection (expected linear time) in place, not by sorting: the caller's array is
/// reordered.
enum Median {
    static func interpolated(_ values: inout [Int64]) -> Double? {
        let n = values.count
        guard n > 0 else { return nil }
        return values.withUnsafeMutableBufferPointer { v in
            let upper = select(v, n / 2)
            if n % 2 == 1 { return Double(upper) }
            // The lower middle is the largest value left of the upper one after selection.
            var lower = v[0]
            for i in 1..<(n / 2) where v[i] > lower { lower = v[i] }
            return (Double(lower) + Double(upper)) / 2
        }
    }

    /// Reorders `v` so that `v[k]` is the k-th smallest, smaller values before it and larger
    /// after (Hoare's quickselect with median-of-three pivots), and returns `v[k]`.
    static func select(_ v: UnsafeMutableBufferPointer<Int64>, _ k: Int) -> Int64 {
        var lo = 0
        var hi = v.count - 1
        while hi > lo {
            let mid = lo + (hi - lo) / 2
            if v[mid] < v[lo] { v.swapAt(mid, lo) }
            if v[hi] < v[lo] { v.swapAt(hi, lo) }
            if v[hi] < v[mid] { v.swapAt(hi, mid) }
            let pivot = v[mid]
            var i = lo
            var j = hi
            while i <= j {
                while v[i] < pivot { i += 1 }
                while v[j] > pivot { j -= 1 }
                if i <= j {
                    v.swapAt(i, j)
                    i += 1
                    j -= 1
                }
            }
            if k <= j { hi = j } else if k >= i { lo = i } else { return v[k] }
        }
        return v[k]
    }
}
