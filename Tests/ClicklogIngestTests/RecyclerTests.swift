import Testing
@testable import ClicklogIngest

struct RecyclerTests {
    @Test func givenValuesAreTakenBackBeforeNewOnesAreMade() {
        var made = 0
        let recycler = Recycler<[Int]> {
            made += 1
            return []
        }
        var a = recycler.take()
        a.reserveCapacity(1000)
        a.append(1)
        recycler.give(a)
        let b = recycler.take()
        #expect(made == 1, "the spare came back instead of a new value")
        #expect(b == [1] && b.capacity >= 1000, "with its contents and capacity: resetting is the taker's job")
        _ = recycler.take()
        #expect(made == 2, "no spare left: a new one")
    }

    @Test func sparesOverTheLimitAreDropped() {
        var made = 0
        let recycler = Recycler<[Int]>(limit: 2) {
            made += 1
            return []
        }
        for i in 0..<3 { recycler.give([i]) }
        #expect(recycler.take() == [1] && recycler.take() == [0], "the first two kept, the third dropped")
        _ = recycler.take()
        #expect(made == 1)
    }
}
