import ClicklogEvents
import ClicklogTestSupport
import Foundation
import Testing

/// `MessageParser` against Foundation's `JSONSerialization` plus the spec's rules
/// (`ReferenceParser`), on random, mutated and hostile messages.
///
/// Known, deliberate differences, each pinned by its own test below rather than skipped:
/// - duplicate keys: Foundation keeps the last; Clicklog rejects the event (RFC 8259 says
///   names SHOULD be unique, and a silent choice would lose data);
/// - trailing commas (`[1,]`): Foundation accepts them; Clicklog follows RFC 8259;
/// - numbers beyond `Double` and nesting beyond 512: Foundation refuses the whole message;
///   Clicklog rejects only the event at fault and keeps the rest of the batch.
@Suite struct MessageParserDifferentialTests {
    func ours(_ bytes: [UInt8], limits: EventLimits = EventLimits()) -> ReferenceVerdict {
        var parser = MessageParser(limits: limits)
        var batch = EventBatch()
        var filter = AdmitAll()
        do {
            let summary = try parser.parse(bytes, now: testNow, enrichment: testEnrichment, into: &batch, filter: &filter)
            let rejected = Set(summary.rejections.map(\.index))
            var row = 0
            return .parsed((0..<summary.events).map { index -> Event? in
                if rejected.contains(index) { return nil }
                defer { row += 1 }
                return batch.event(at: row)
            })
        } catch {
            return .refused(error.kind)
        }
    }

    /// A short account of a disagreement, for the failure message.
    func explain(_ bytes: [UInt8]) -> String {
        func brief(_ v: ReferenceVerdict) -> String {
            switch v {
            case .refused(let kind): "refused(\(kind))"
            case .parsed(let events): "parsed(" + events.map { $0 == nil ? "x" : "ok" }.joined(separator: ",") + ")"
            }
        }
        let mine = ours(bytes), theirs = ReferenceParser().verdict(bytes)
        var text = "ours \(brief(mine)) vs Foundation \(brief(theirs))"
        if case .parsed(let a) = mine, case .parsed(let b) = theirs, a.count == b.count {
            for (x, y) in zip(a, b) { if let x, let y, !sameEvent(x, y) { text += "\n  \(x)\n  \(y)"; break } }
        }
        return text + " in " + String(decoding: bytes.prefix(600), as: UTF8.self)
    }

    func agree(_ bytes: [UInt8], limits: EventLimits = EventLimits()) -> Bool {
        let mine = ours(bytes, limits: limits)
        let theirs = ReferenceParser(limits: limits).verdict(bytes)
        switch (mine, theirs) {
        case (.refused(let a), .refused(let b)): return a == b
        case (.parsed(let a), .parsed(let b)):
            guard a.count == b.count else { return false }
            return zip(a, b).allSatisfy { x, y in
                switch (x, y) {
                case (nil, nil): true
                case (let x?, let y?): sameEvent(x, y)
                default: false
                }
            }
        default: return false
        }
    }

    @Test func randomMessagesAgreeWithFoundation() {
        var rng = SeededRandom(seed: 1)
        var disagreements: [String] = []
        for _ in 0..<3000 {
            let message = RandomMessage.make(&rng)
            if !agree(message) { disagreements.append(explain(message)) }
        }
        if let first = disagreements.first { Issue.record("\(disagreements.count) disagreements, first: \(first)") }
    }

    @Test func mutatedMessagesAgreeWithFoundation() {
        var rng = SeededRandom(seed: 2)
        var disagreements: [String] = []
        var refused = 0
        for _ in 0..<6000 {
            var message = RandomMessage.make(&rng)
            RandomMessage.mutate(&message, &rng)
            // Pinned separately below.
            if RandomMessage.hasTrailingComma(message) || RandomMessage.hasOutOfRangeNumber(message) { continue }
            if case .refused = ours(message) { refused += 1 }
            if !agree(message) { disagreements.append(explain(message)) }
        }
        if let first = disagreements.first { Issue.record("\(disagreements.count) disagreements, first: \(first)") }
        #expect(refused > 1000, "mutations should break many messages, broke \(refused)")
    }

    @Test func hostileMessagesAgreeWithFoundation() {
        let big = String(repeating: "é", count: 1 << 19)  // a 1 MiB string
        var limits = EventLimits()
        limits.maxMessageBytes = 4 << 20
        let cases: [String] = [
            event(#""props":{"s":"\#(big)"}"#),
            event(#""title":"\#(big)""#),
            event(#""props":{"n":123456789012345678901234567890,"m":-0,"f":1e-400,"g":1E+2}"#),
            event(#""x":123456789012345678901234567890"#),
            event(#""x":18446744073709551615"#),
            #"{"event":"e","ts":"\ud83d\ude00","anonymous_id":"a"}"#,
            event(#""props":{"a":"\u0000\u001f\ud7ff\ue000\uffff"}"#),
            event(#""props":\#(String(repeating: "[", count: 40) + String(repeating: "]", count: 40))"#),
            event(#""props":{"a":\#(String(repeating: "[", count: 300) + String(repeating: "]", count: 300))}"#),
            String(repeating: "[", count: 100) + String(repeating: "]", count: 100),
            #"{"seq":18446744073709551616,"events":[]}"#,
            #"{"seq":1.5,"events":[]}"#,
            #"{"seq":true,"events":[]}"#,
        ]
        for json in cases {
            if !agree(Array(json.utf8), limits: limits) { Issue.record("\(explain(Array(json.utf8)).prefix(300))") }
        }
        #expect(agree(Array(event(#""props":{"s":"\#(big)"}"#).utf8)))  // too large at the default limit
        for bytes: [UInt8] in [[0xFF, 0xFE], [0x7B, 0x22, 0xC3, 0x22, 0x3A, 0x31, 0x7D], Array("{\"a\":\"\u{1}\"}".utf8)] {
            #expect(agree(bytes))
        }
    }

    @Test func duplicateKeysAreRejectedWhereFoundationKeepsTheLast() {
        let json = event(#""url":"a","url":"b""#)
        #expect(ReferenceParser().verdict(Array(json.utf8)) != .refused(.syntax))
        #expect(ours(Array(json.utf8)) == .parsed([nil]))
    }

    @Test func trailingCommasAreRefusedWhereFoundationAcceptsThem() {
        for json in [event(#""props":{"a":[1,]}"#), event(#""props":{"a":1,}"#)] {
            #expect(ReferenceParser().verdict(Array(json.utf8)) != .refused(.syntax))
            #expect(ours(Array(json.utf8)) == .refused(.syntax))
        }
    }

    @Test func outOfRangeNumbersAndDeepNestingRejectOnlyTheEvent() {
        let deep = String(repeating: "[", count: 600) + String(repeating: "]", count: 600)
        for bad in [event(#""props":{"n":1e400}"#), event(#""props":{"a":\#(deep)}"#)] {
            let json = #"{"seq":1,"events":[\#(bad),\#(event())]}"#
            #expect(ReferenceParser().verdict(Array(json.utf8)) == .refused(.syntax))
            guard case .parsed(let events) = ours(Array(json.utf8)) else {
                Issue.record("refused \(json.prefix(80))")
                continue
            }
            #expect(events.count == 2 && events[0] == nil && events[1] != nil)
        }
    }
}
