import ClicklogEvents
import Testing

@Suite struct MessageParserTests {
    @Test func singleEventIsParsedWithEnrichment() throws {
        let parsed = try parse(event(#""url":"https://shop.example/a","x":10,"y":-3"#))
        #expect(parsed.summary.accepted == 1)
        #expect(!parsed.summary.isBatch)
        let e = try #require(parsed.events.first)
        #expect(e.event == "click")
        #expect(e.ts == 1_768_000_000_000)
        #expect(e.anonymousID == "a1")
        #expect(e.url == "https://shop.example/a")
        #expect(e.x == 10 && e.y == -3)
        #expect(e.site == "demo" && e.userAgent == "test-agent" && e.ip == "127.0.0.0")
        #expect(e.receivedAt == testEnrichment.receivedAt)
        #expect(e.id == nil && e.userID == nil)
    }

    @Test func batchCarriesSeqAndSentAtToEveryEvent() throws {
        let parsed = try parse(#"{"seq":7,"events":[\#(event()),\#(event())],"sent_at":1768000000500}"#)
        #expect(parsed.summary.isBatch)
        #expect(parsed.summary.seq == 7)
        #expect(parsed.summary.accepted == 2)
        #expect(parsed.events.map(\.sentAt) == [1_768_000_000_500, 1_768_000_000_500])
    }

    @Test func eventWithEventsKeyLaterIsReadAsBatch() throws {
        let parsed = try parse(#"{"sent_at":null,"seq":1,"events":[]}"#)
        #expect(parsed.summary.isBatch && parsed.summary.events == 0)
        let reordered = try parse(#"{"events":[\#(event())],"seq":2}"#)
        #expect(reordered.summary.seq == 2 && reordered.summary.accepted == 1)
    }

    @Test func badEventIsRejectedAndTheRestOfTheBatchGoesOn() throws {
        let message = #"{"seq":1,"events":[\#(event()),{"event":"x","ts":"yesterday","anonymous_id":"a"},42,\#(event())]}"#
        let parsed = try parse(message)
        #expect(parsed.summary.accepted == 2)
        #expect(parsed.summary.rejections.map(\.index) == [1, 2])
        #expect(parsed.summary.rejections[0].description == "ts: not a number or RFC 3339 time")
        #expect(parsed.summary.rejections[1].description == "event: not an object")
        let raw = Array(message.utf8)[parsed.summary.rejections[0].bytes]
        #expect(String(decoding: raw, as: UTF8.self) == #"{"event":"x","ts":"yesterday","anonymous_id":"a"}"#)
    }

    @Test(arguments: [
        (#"{"ts":1768000000000,"anonymous_id":"a"}"#, "event: required"),
        (#"{"event":"","ts":1768000000000,"anonymous_id":"a"}"#, "event: must not be empty"),
        (#"{"event":"e","anonymous_id":"a"}"#, "ts: required"),
        (#"{"event":"e","ts":1768000000000}"#, "anonymous_id: required"),
        (#"{"event":"e","ts":1768000000000,"anonymous_id":null}"#, "anonymous_id: required"),
        (#"{"event":1,"ts":1768000000000,"anonymous_id":"a"}"#, "event: not a string"),
        (#"{"event":"e","ts":true,"anonymous_id":"a"}"#, "ts: not a number or RFC 3339 time"),
        (#"{"event":"e","ts":1768000000000.5,"anonymous_id":"a"}"#, "ts: not an integer number of milliseconds"),
        (#"{"event":"e","ts":946684799999,"anonymous_id":"a"}"#, "ts: before 2000-01-01"),
        (#"{"event":"e","ts":1768521600001,"anonymous_id":"a"}"#, "ts: more than 24 h ahead of the server's clock"),
        (#"{"event":"e","ts":"2026-02-30T00:00:00Z","anonymous_id":"a"}"#, "ts: not a number or RFC 3339 time"),
    ])
    func ruleViolationNamesTheField(json: String, expected: String) throws {
        #expect(try rejection(json) == expected)
    }

    @Test func timestampWindowEdgesAreInclusive() throws {
        #expect(try rejection(#"{"event":"e","ts":946684800000,"anonymous_id":"a"}"#) == nil)
        #expect(try rejection(#"{"event":"e","ts":1768521600000,"anonymous_id":"a"}"#) == nil)
    }

    @Test func fieldLengthLimitsAreBytesNotCharacters() throws {
        let id64 = String(repeating: "é", count: 32)  // 64 bytes
        #expect(try rejection(event(#""id":"\#(id64)""#)) == nil)
        #expect(try rejection(event(#""id":"\#(id64)x""#)) == "id: longer than 64 bytes")
        #expect(try rejection(event(#""id":"""#)) == "id: must not be empty")
        #expect(try rejection(event(#""user_id":"""#)) == nil)
        #expect(try rejection(event(#""text":"\#(String(repeating: "t", count: 1025))""#)) == "text: longer than 1024 bytes")
        #expect(try rejection(event(#""url":"\#(String(repeating: "u", count: 8193))""#)) == "url: longer than 8192 bytes")
        #expect(try rejection(#"{"event":"\#(String(repeating: "e", count: 129))","ts":1768000000000,"anonymous_id":"a"}"#) == "event: longer than 128 bytes")
    }

    @Test func rfc3339TimestampsAreConvertedToMilliseconds() throws {
        let cases: [(String, Int64)] = [
            ("2026-01-10T00:00:00Z", 1_768_003_200_000),
            ("2026-01-10T00:00:00.25Z", 1_768_003_200_250),
            ("2026-01-10T00:00:00.123456z", 1_768_003_200_123),
            ("2026-01-10t01:00:00+01:00", 1_768_003_200_000),
            ("2026-01-09T19:30:00-04:30", 1_768_003_200_000),
            ("2024-02-29 12:00:00Z", 1_709_208_000_000),
        ]
        for (text, millis) in cases {
            let parsed = try parse(#"{"event":"e","ts":"\#(text)","anonymous_id":"a"}"#)
            #expect(parsed.events.first?.ts == millis, "\(text)")
        }
    }

    @Test func nestedPropsAreFlattenedToDottedKeys() throws {
        let parsed = try parse(event(#""props":{"a":{"b":1,"c":{"d":"x"}},"e":[1,{"f":2}],"g":null,"h":true,"i":-1.5e3}"#))
        let props = try #require(parsed.events.first).props
        #expect(props == [
            Event.Prop(key: "a.b", kind: .number, value: "1"),
            Event.Prop(key: "a.c.d", kind: .string, value: "x"),
            Event.Prop(key: "e", kind: .array, value: #"[1,{"f":2}]"#),
            Event.Prop(key: "g", kind: .null, value: ""),
            Event.Prop(key: "h", kind: .true, value: ""),
            Event.Prop(key: "i", kind: .number, value: "-1.5e3"),
        ])
    }

    @Test func unknownTopLevelFieldsAreKeptAsProps() throws {
        let parsed = try parse(event(#""plan":"pro","cart":{"items":3},"props":{"k":"v"}"#))
        let props = try #require(parsed.events.first).props
        #expect(props.map(\.key) == ["plan", "cart.items", "k"])
    }

    @Test func duplicateKeysRejectTheEvent() throws {
        #expect(try rejection(event(#""url":"a","url":"b""#)) == "url: appears more than once")
        #expect(try rejection(event(#""props":{"a":1},"a":2"#)) == "props.a: appears more than once")
        #expect(try rejection(event(#""props":{"a":{"b":1},"a.b":2}"#)) == "props.a.b: appears more than once")
    }

    @Test func propLimitsAreEnforced() throws {
        let keys = (0..<64).map { #""k\#($0)":\#($0)"# }.joined(separator: ",")
        #expect(try rejection(event(#""props":{\#(keys)}"#)) == nil)
        #expect(try rejection(event(#""props":{\#(keys),"k64":1}"#)) == "props: more than 64 keys")
        // The event object is level 1 and props level 2: 31 nested objects reach level 32.
        let deep = String(repeating: #"{"a":"#, count: 31) + "1" + String(repeating: "}", count: 31)
        #expect(try rejection(event(#""props":\#(deep)"#)) == nil)
        let deeper = String(repeating: #"{"a":"#, count: 32) + "1" + String(repeating: "}", count: 32)
        #expect(try rejection(event(#""props":\#(deeper)"#))?.hasSuffix("nested deeper than 32 levels") == true)
        #expect(try rejection(event(#""props":[1]"#)) == "props: not an object")
        #expect(try rejection(event(#""props":{"n":1e400}"#)) == "props.n: number out of range")
    }

    @Test func escapesAndUnicodeAreDecoded() throws {
        let parsed = try parse(event(#""title":"caf\u00e9 \"deals\" \ud83d\ude00 \/ \n","text":"日本""#))
        let e = try #require(parsed.events.first)
        #expect(e.title == "café \"deals\" 😀 / \n")
        #expect(e.text == "日本")
    }

    @Test func integerFieldsAcceptIntegralNumbersOnly() throws {
        #expect(try parse(event(#""x":1e3"#)).events.first?.x == 1000)
        #expect(try rejection(event(#""x":1.5"#)) == "x: not an integer")
        #expect(try rejection(event(#""x":"1""#)) == "x: not an integer")
        #expect(try rejection(event(#""x":9223372036854775808"#)) == "x: not an integer")
        #expect(try parse(event(#""x":-9223372036854775808"#)).events.first?.x == .min)
    }

    @Test(arguments: [
        #"{"event":"e",}"#, #"{"a":1"#, #"{"a":01}"#, #"{"a":"\x"}"#, #"{"a":"\ud800"}"#, #"{"a":"\udc00x"}"#,
        #"{"a":[1,]}"#, #"{"a":1} x"#, #"{'a':1}"#, #"{"a":.5}"#, #"{"a":tru}"#, "", "   ",
    ])
    func malformedJSONRefusesTheMessage(json: String) {
        #expect(throws: MessageError.self) { try parse(json) }
        do { _ = try parse(json) } catch { #expect(error.kind == .syntax) }
    }

    @Test func invalidUTF8RefusesTheMessage() {
        for bad: [UInt8] in [[0xFF], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82]] {
            let bytes = Array(#"{"event":""#.utf8) + bad + Array(#"","ts":1768000000000,"anonymous_id":"a"}"#.utf8)
            #expect(throws: MessageError.self) { try parse(bytes) }
        }
    }

    @Test func messagesThatAreNotEventsOrBatchesAreRefused() {
        for json in ["[1,2]", "42", #""text""#, #"{"seq":"1","events":[]}"#, #"{"seq":1,"events":{}}"#, #"{"seq":1,"events":[],"x":1}"#] {
            do {
                _ = try parse(json)
                Issue.record("accepted \(json)")
            } catch {
                #expect(error.kind == .notAMessage, "\(json): \(error)")
            }
        }
    }

    @Test func objectWithoutEventsIsAnEventEvenWhenItStartsLikeABatch() throws {
        let parsed = try parse(#"{"seq":1,"sent_at":2}"#)
        #expect(!parsed.summary.isBatch)
        #expect(parsed.summary.rejections.map(\.description) == ["event: required"])
    }

    @Test func sizeAndCountLimitsRefuseTheMessage() throws {
        var limits = EventLimits()
        limits.maxMessageBytes = 100
        #expect(throws: MessageError.self) { try parse(String(repeating: " ", count: 101) , limits: limits) }
        limits = EventLimits()
        limits.maxEventsPerMessage = 2
        let ok = try parse(#"{"events":[\#(event()),\#(event())]}"#, limits: limits)
        #expect(ok.summary.accepted == 2)
        do {
            _ = try parse(#"{"events":[\#(event()),\#(event()),\#(event())]}"#, limits: limits)
            Issue.record("accepted 3 events over a limit of 2")
        } catch {
            #expect(error.kind == .tooManyEvents)
        }
    }

    @Test func refusedMessageLeavesTheBatchAsItWas() throws {
        var parser = MessageParser()
        var batch = EventBatch()
        var filter = SetFilter()
        _ = try parser.parse(Array(event(#""id":"e1""#).utf8), now: testNow, enrichment: testEnrichment, into: &batch, filter: &filter)
        let before = batch
        #expect(throws: MessageError.self) {
            try parser.parse(Array(#"{"events":[\#(event(#""id":"e2""#)),{"#.utf8), now: testNow, enrichment: testEnrichment, into: &batch, filter: &filter)
        }
        #expect(batch == before)
        // The refused message did not teach the filter its id: a resend is accepted.
        let resent = try parser.parse(Array(event(#""id":"e2""#).utf8), now: testNow, enrichment: testEnrichment, into: &batch, filter: &filter)
        #expect(resent.accepted == 1 && resent.duplicates == 0)
    }

    @Test func duplicateIdsAreDroppedWithinAndAcrossMessages() throws {
        var parser = MessageParser()
        var batch = EventBatch()
        var filter = SetFilter()
        let first = try parser.parse(
            Array(#"{"seq":1,"events":[\#(event(#""id":"a""#)),\#(event(#""id":"b""#)),\#(event(#""id":"a""#)),\#(event())]}"#.utf8),
            now: testNow, enrichment: testEnrichment, into: &batch, filter: &filter)
        #expect(first.accepted == 3 && first.duplicates == 1)
        let second = try parser.parse(
            Array(#"{"seq":2,"events":[\#(event(#""id":"b""#)),\#(event(#""id":"c""#))]}"#.utf8),
            now: testNow, enrichment: testEnrichment, into: &batch, filter: &filter)
        #expect(second.accepted == 1 && second.duplicates == 1)
        #expect(batch.events.map(\.id) == ["a", "b", nil, "c"])
    }

    /// A message's events reach the batch together once it is read; what a rejected event
    /// held (props, unescaped strings, nulls) must not leak into its neighbours.
    @Test func batchStoresTheSameRowsAsItsEventsSentOneByOne() throws {
        let events = [
            event(#""props":{"a":1,"b":{"c":"x"}},"title":"caf\u00e9","x":3"#),
            event(#""props":{"a":2},"ts":"soon""#),  // rejected, after its props were read
            event(#""url":"https://shop.example/p","user_id":null,"text":"\"hi\"""#),
            #"{"event":"e","ts":1768000000000,"anonymous_id":"a","props":{"k":true,"k":false}}"#,  // rejected
            event(#""props":{"z":null},"selector":"button.b","y":-1"#),
        ]
        var parser = MessageParser()
        var together = EventBatch()
        var filter = AdmitAll()
        let summary = try parser.parse(
            Array(#"{"seq":1,"events":[\#(events.joined(separator: ","))]}"#.utf8),
            now: testNow, enrichment: testEnrichment, into: &together, filter: &filter)
        #expect(summary.accepted == 3 && summary.rejections.map(\.index) == [1, 3])
        var alone = EventBatch()
        for e in events {
            _ = try parser.parse(Array(e.utf8), now: testNow, enrichment: testEnrichment, into: &alone, filter: &filter)
        }
        #expect(together == alone)
        #expect(together.event(at: 0).props.map(\.key) == ["a", "b.c"] && together.event(at: 0).title == "café")
        #expect(together.event(at: 1).props.isEmpty && together.event(at: 1).text == #""hi""#)
        #expect(together.event(at: 2).props == [Event.Prop(key: "z", kind: .null, value: "")])
    }

    @Test func leadingByteOrderMarkIsIgnored() throws {
        let parsed = try parse([0xEF, 0xBB, 0xBF] + Array(event().utf8))
        #expect(parsed.summary.accepted == 1)
    }

    @Test func parserIsReusableAcrossMessages() throws {
        var parser = MessageParser()
        var batch = EventBatch()
        var filter = AdmitAll()
        for i in 0..<100 {
            let json = event(#""props":{"i":\#(i),"s":"v\#(i)"},"title":"t\u00e9\#(i)""#)
            _ = try parser.parse(Array(json.utf8), now: testNow, enrichment: testEnrichment, into: &batch, filter: &filter)
        }
        #expect(batch.count == 100)
        #expect(batch.event(at: 99).props == [Event.Prop(key: "i", kind: .number, value: "99"), Event.Prop(key: "s", kind: .string, value: "v99")])
        #expect(batch.event(at: 42).title == "té42")
    }
}
