import ClicklogEvents
import Testing

/// The scanner reads strings and integers eight bytes at a time. These put the byte that ends
/// the fast path (a quote, an escape, UTF-8, a control byte, the end of the input, a non-digit)
/// at every offset of a word, so each way out of the word loop is taken at each position.
@Suite struct WordAtATimeScanningTests {
    func url(_ literal: String) throws(MessageError) -> String? {
        try parse(event(#""url":"# + literal)).events.first?.url
    }

    @Test func stringsWithAnEscapeOrUTF8AtEveryOffsetOfAWord() throws {
        for before in 0..<20 {
            for after in [0, 1, 7, 8, 9] {
                let a = String(repeating: "a", count: before)
                let b = String(repeating: "b", count: after)
                #expect(try url("\"\(a)\"") == a)
                #expect(try url("\"\(a)\\\"\(b)\"") == a + "\"" + b)
                #expect(try url("\"\(a)\\n\(b)\"") == a + "\n" + b)
                #expect(try url("\"\(a)\\u00e9\(b)\"") == a + "é" + b)
                #expect(try url("\"\(a)\\ud83d\\ude00\(b)\"") == a + "😀" + b)
                #expect(try url("\"\(a)é–\(b)\"") == a + "é–" + b)
            }
        }
    }

    @Test func controlByteOrEndOfInputAtEveryOffsetIsASyntaxError() {
        for before in 0..<20 {
            let a = String(repeating: "a", count: before)
            // A raw tab inside the string.
            let tab = #"{"event":"click","ts":1768000000000,"anonymous_id":"a1","url":""# + a + "\t\"}"
            do {
                _ = try parse(tab)
                Issue.record("accepted a raw tab")
            } catch {
                #expect(error.kind == .syntax)
                #expect(error.description.contains("control character 0x9"), "\(error)")
            }
            // The message ends inside the string.
            let open = #"{"event":"click","ts":1768000000000,"anonymous_id":"a1","url":""# + a
            do {
                _ = try parse(open)
                Issue.record("accepted an unterminated string")
            } catch {
                #expect(error.description.contains("unterminated string"), "\(error)")
            }
        }
    }

    @Test func integersOfEveryLengthParseExactly() throws {
        let digits = "1234567890123456789"
        for length in 1...19 {
            for text in [String(digits.prefix(length)), String(repeating: "9", count: length), "1" + String(repeating: "0", count: length - 1)] {
                guard let value = Int64(text) else { continue }
                for terminator in ["", " ", ",\"y\":1"] {
                    let parsed = try parse(event(#""x":"# + text + terminator))
                    #expect(parsed.events.first?.x == value, "\(text)\(terminator)")
                    let negative = try parse(event(#""x":-"# + text + terminator))
                    #expect(negative.events.first?.x == -value, "-\(text)\(terminator)")
                }
            }
        }
        #expect(try parse(event(#""x":9223372036854775807"#)).events.first?.x == .max)
        #expect(try parse(event(#""x":-9223372036854775808"#)).events.first?.x == .min)
    }

    @Test func integersPastInt64AreRejectedAtAnyLength() throws {
        for text in ["9223372036854775808", "18446744073709551615", "18446744073709551616", "99999999999999999999",
                     "123456789012345678901234567890"] {
            #expect(try rejection(event(#""x":"# + text)) == "x: not an integer", "\(text)")
        }
        // A fraction or an exponent right after eight digits ends the word loop too.
        #expect(try parse(event(#""x":12345678.0"#)).events.first?.x == 12_345_678)
        #expect(try parse(event(#""x":12345678e2"#)).events.first?.x == 1_234_567_800)
        #expect(try rejection(event(#""x":12345678.5"#)) == "x: not an integer")
    }

    @Test func numberPropsKeepTheirTextAtEveryLength() throws {
        for length in 1...25 {
            let text = String("1234567890123456789012345".prefix(length))
            let parsed = try parse(event(#""props":{"n":"# + text + "}"))
            #expect(parsed.events.first?.props == [Event.Prop(key: "n", kind: .number, value: text)], "\(text)")
        }
    }
}
