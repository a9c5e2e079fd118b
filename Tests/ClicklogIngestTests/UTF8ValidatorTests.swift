import Testing
@testable import ClicklogIngest

@Suite struct UTF8ValidatorTests {
    func valid(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { UTF8Validator.isValid($0) }
    }

    @Test func acceptsWellFormedText() {
        #expect(valid(Array("plain ascii, long enough for the word loop".utf8)))
        #expect(valid(Array("κόσμε — 日本語 — 🎉".utf8)))
        #expect(valid([0xF4, 0x8F, 0xBF, 0xBF]))  // U+10FFFF
        #expect(valid([0xED, 0x9F, 0xBF]))  // U+D7FF, just below the surrogates
        #expect(valid([]))
    }

    @Test func rejectsOverlongFormsSurrogatesAndOutOfRange() {
        #expect(!valid([0xC0, 0xAF]))  // overlong "/"
        #expect(!valid([0xE0, 0x80, 0xAF]))  // overlong
        #expect(!valid([0xF0, 0x80, 0x80, 0xAF]))  // overlong
        #expect(!valid([0xED, 0xA0, 0x80]))  // U+D800
        #expect(!valid([0xF4, 0x90, 0x80, 0x80]))  // U+110000
        #expect(!valid([0xF5, 0x80, 0x80, 0x80]))
        #expect(!valid([0x80]))  // lone continuation
        #expect(!valid([0xFF]))
        #expect(!valid(Array("ok so far".utf8) + [0xC3]))  // cut short at the end
    }

    @Test func validatesACharacterSplitAcrossPieces() {
        let text = Array("a€b🎉c".utf8)
        var validator = UTF8Validator()
        for byte in text {
            #expect([byte].withUnsafeBytes { validator.feed($0) })
        }
        #expect(validator.isAtBoundary)

        var split = UTF8Validator()
        #expect(([0xF0, 0x9F] as [UInt8]).withUnsafeBytes { split.feed($0) })
        #expect(!split.isAtBoundary)
        #expect(([0x8E] as [UInt8]).withUnsafeBytes { split.feed($0) })
        #expect(([0x41] as [UInt8]).withUnsafeBytes { !split.feed($0) })  // ASCII where a continuation byte belongs
    }

    @Test func failsAtTheFirstBadByteNotAtTheEnd() {
        var validator = UTF8Validator()
        #expect(!([0xCE, 0xBA, 0xE1, 0xBD, 0xB9, 0xCF, 0x83, 0xCE, 0xBC, 0xCE, 0xB5, 0xED, 0xA0, 0x80] as [UInt8]).withUnsafeBytes { validator.feed($0) })
    }
}
