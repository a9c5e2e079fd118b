import Foundation
import Testing

@testable import ClicklogGenerator

@Suite struct ByteWriterTests {
    func written(_ body: (inout ByteWriter) -> Void) -> String {
        var out: [UInt8] = Array("x".utf8)
        var scratch = [UInt8](repeating: 0, count: 100)
        out.appendWriting(through: &scratch) { body(&$0) }
        return String(decoding: out.dropFirst(), as: UTF8.self)
    }

    @Test func integersAreWrittenInDecimal() {
        for value: Int64 in [0, 7, 10, 99, 100, 1_767_225_600_000, -42, .max, .min] {
            let text = written { $0.integer(value) }
            #expect(text == String(value))
        }
    }

    @Test func centsHaveTwoDecimals() {
        let texts = [2490, 5, 100_000, -199].map { cents in written { $0.cents(cents) } }
        #expect(texts == ["24.90", "0.05", "1000.00", "-1.99"])
    }

    @Test func uuidsAreCanonicalLowercaseText() {
        let uuid = UUIDBits(high: 0x0123_4567_89AB_4DEF, low: 0x8123_4567_89AB_CDEF)
        let text = written { $0.uuid(uuid) }
        #expect(text == "01234567-89ab-4def-8123-456789abcdef")
    }

    @Test func writingOnlyAppendsWhatWasWritten() {
        var out: [UInt8] = [1, 2]
        var scratch = [UInt8](repeating: 0, count: 1000)
        let result = out.appendWriting(through: &scratch) { w -> Int in
            w.literal("ab")
            return w.count
        }
        #expect(result == 2)
        #expect(out == [1, 2, 97, 98])
    }

    @Test func escapedStringsDecodeBackToTheOriginal() throws {
        for text in [#"café "deals""#, #"3\4 sleeve"#, "tab\there\nnew\u{1}line\u{1F}", "🎁 パーカー", ""] {
            var json = Array(#"{"s":""#.utf8)
            json.appendJSONEscaped(text.utf8)
            json += Array(#""}"#.utf8)
            let decoded = try JSONSerialization.jsonObject(with: Data(json)) as? [String: String]
            #expect(decoded?["s"] == text)
        }
    }
}
