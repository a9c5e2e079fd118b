import ClicklogEvents
import ClicklogTestSupport
import Foundation
import Testing
@testable import ClicklogStorage

/// The plan's value order decides the block bytes, so the counting sort behind it must give
/// exactly the order of sorting by descending count, ties by first appearance.
struct DictionaryPlanTests {
    /// Zipf-like draws over `distinct` values in random order: counts repeat (ties), one value
    /// dominates, and nothing recurs in bursts, so the plan picks frequency-ordered varints.
    func skewedColumn(distinct: Int, seed: UInt64) -> StringColumn {
        var rng = SeededRandom(seed: seed)
        var column = StringColumn()
        for _ in 0..<(4 * distinct) {
            let u = Double(rng.next() >> 11) / Double(1 << 53)
            column.append("v\(Int(Double(distinct) * pow(u, 12)))")
        }
        return column
    }

    @Test func valueOrderIsDescendingCountThenFirstAppearance() {
        // One Plan reused across columns, as the encoder does: no scratch leaks between them.
        var plan = DictionaryStringCodec.Plan()
        var counts: [UInt32] = []
        for (distinct, seed) in [(5000, 1), (8000, 2), (3000, 3)] as [(Int, UInt64)] {
            var table = StringTable()
            table.build(skewedColumn(distinct: distinct, seed: seed))
            DictionaryStringCodec.plan(table, counts: &counts, into: &plan)
            #expect(plan.width == DictionaryStringCodec.varintLayout)

            var rows = [Int](repeating: 0, count: table.distinctCount)
            for c in table.codes { rows[Int(c)] += 1 }
            let expected = (0..<UInt32(table.distinctCount)).sorted { (a: UInt32, b: UInt32) -> Bool in
                let (ca, cb) = (rows[Int(a)], rows[Int(b)])
                return ca != cb ? ca > cb : a < b
            }
            #expect(plan.order == expected)
            #expect(Set(rows).count < table.distinctCount, "the column should have tied counts")
        }
    }
}
