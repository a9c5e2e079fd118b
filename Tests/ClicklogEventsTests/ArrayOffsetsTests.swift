import ClicklogEvents
import Testing

@Suite struct ArrayOffsetsTests {
    @Test func appendedOffsetsAreMovedByTheBaseAndKeepTheExistingOnes() {
        var ends: [UInt32] = [3, 7]
        ends.append(offsets: [UInt32]([0, 5, 9]), plus: 7)
        #expect(ends == [3, 7, 7, 12, 16])
        ends.append(offsets: [2, 4], plus: 16)
        #expect(ends == [3, 7, 7, 12, 16, 18, 20])
    }

    @Test func appendingNoOffsetsChangesNothing() {
        var ends: [UInt32] = [1]
        ends.append(offsets: [UInt32](), plus: .max)
        ends.append(offsets: [Int](), plus: .max)
        #expect(ends == [1])
    }

    @Test func offsetsUpToUInt32MaxAreKept() {
        var ends: [UInt32] = []
        ends.append(offsets: [UInt32]([UInt32.max - 10]), plus: 10)
        ends.append(offsets: [Int(UInt32.max) - 1], plus: 1)
        #expect(ends == [.max, .max])
    }
}
