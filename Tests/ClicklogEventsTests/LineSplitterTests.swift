import ClicklogEvents
import Testing

@Suite struct LineSplitterTests {
    func lines(_ chunks: [String], max: Int = 100) -> [String] {
        var splitter = LineSplitter(maxLineBytes: max)
        var out: [String] = []
        let collect: (LineSplitter.Line) -> Void = { line in
            switch line {
            case .line(let bytes, let n): out.append("\(n):" + String(decoding: bytes, as: UTF8.self))
            case .tooLong(let n, let bytes): out.append("\(n):too long (\(bytes))")
            }
        }
        for chunk in chunks { Array(chunk.utf8).withUnsafeBytes { splitter.feed($0, collect) } }
        splitter.finish(collect)
        return out
    }

    @Test func linesSplitAcrossChunksAreJoined() {
        #expect(lines(["ab", "c\nde", "f\n\ng"]) == ["1:abc", "2:def", "3:", "4:g"])
    }

    @Test func crlfLineEndingsAreTrimmed() {
        #expect(lines(["a\r\nb\r", "\n"]) == ["1:a", "2:b"])
    }

    @Test func overlongLineIsReportedOnceAndSkipped() {
        let long = String(repeating: "x", count: 30)
        #expect(lines(["ok\n" + long, long, "\nnext\n"], max: 40) == ["1:ok", "2:too long (60)", "3:next"])
        #expect(lines([long + long + "\nz"], max: 40) == ["1:too long (60)", "2:z"])
        #expect(lines(["z\n" + long, long], max: 40) == ["1:z", "2:too long (60)"])
    }
}
