import ClicklogEvents
import ClicklogTestSupport

/// Random protocol messages written by hand (so that whitespace, escapes and key order vary),
/// some valid, some breaking one rule, and byte-level mutations of them.
enum RandomMessage {
    static func make(_ rng: inout SeededRandom) -> [UInt8] {
        if Int.random(in: 0..<3, using: &rng) == 0 { return Array(event(&rng).utf8) }
        let count = Int.random(in: 0...6, using: &rng)
        var members = [#""events":[\#((0..<count).map { _ in event(&rng) }.joined(separator: ","))]"#]
        if Bool.random(using: &rng) { members.append(#""seq":\#(Int.random(in: 0...1000, using: &rng))"#) }
        if Bool.random(using: &rng) { members.append(#""sent_at":1768000001000"#) }
        if Int.random(in: 0..<10, using: &rng) == 0 { members.append(#""extra":1"#) }
        members.shuffle(using: &rng)
        return Array(("{" + members.joined(separator: ws(&rng) + "," + ws(&rng)) + "}").utf8)
    }

    static func ws(_ rng: inout SeededRandom) -> String {
        ["", "", "", " ", "\n", "\t ", "\r\n"].randomElement(using: &rng)!
    }

    static let pieces = ["a", "Z", "é", "日本", "😀", "\\n", "\\\"", "\\\\", "\\/", "\\u00e9", "\\ud83d\\ude00", "\\u0000", " ", "<b>", "'", "x.y"]

    static func text(_ rng: inout SeededRandom, maxPieces: Int = 6) -> String {
        (0..<Int.random(in: 0...maxPieces, using: &rng)).map { _ in pieces.randomElement(using: &rng)! }.joined()
    }

    static func value(_ rng: inout SeededRandom, depth: Int) -> String {
        switch Int.random(in: 0..<(depth > 3 ? 6 : 8), using: &rng) {
        case 0: return "\"" + text(&rng) + "\""
        case 1: return String(Int64.random(in: -1_000_000...1_000_000, using: &rng))
        case 2: return ["1.5", "-0.25e2", "1E3", "0", "-0", "3.14159", "12345678901234567890", "1e-7"].randomElement(using: &rng)!
        case 3: return ["true", "false"].randomElement(using: &rng)!
        case 4: return "null"
        case 5: return "\"\(Int.random(in: 0...99, using: &rng))\""
        case 6:
            let n = Int.random(in: 0...3, using: &rng)
            return "[" + (0..<n).map { _ in value(&rng, depth: depth + 1) }.joined(separator: ",") + "]"
        default:
            return object(&rng, depth: depth + 1)
        }
    }

    static func object(_ rng: inout SeededRandom, depth: Int) -> String {
        let n = Int.random(in: 0...4, using: &rng)
        let members = (0..<n).map { i in "\"k\(i)\(text(&rng, maxPieces: 1))\":" + ws(&rng) + value(&rng, depth: depth) }
        return "{" + members.joined(separator: ",") + "}"
    }

    static func event(_ rng: inout SeededRandom) -> String {
        var members: [String] = []
        func add(_ key: String, _ value: String) { members.append("\"\(key)\":" + ws(&rng) + value) }
        let broken = Int.random(in: 0..<4, using: &rng) == 0 ? Int.random(in: 0..<11, using: &rng) : -1
        add("event", broken == 0 ? "\"\"" : broken == 1 ? "7" : "\"" + ["page_view", "click", "add_to_cart", "é\\u00e9"].randomElement(using: &rng)! + "\"")
        let ts: String
        switch broken {
        case 2: ts = "1.5"
        case 3: ts = "\"2026-13-01T00:00:00Z\""
        case 4: ts = "900000000000"
        case 5: ts = "1999999999999"
        default:
            ts = Bool.random(using: &rng)
                ? String(Int64.random(in: 1_700_000_000_000...1_768_400_000_000, using: &rng))
                : "\"2026-01-\(10 + Int.random(in: 0...4, using: &rng))T1\(Int.random(in: 0...9, using: &rng)):3\(Int.random(in: 0...9, using: &rng)):00\(["Z", ".5Z", ".123456+02:00", "-01:30", "z"].randomElement(using: &rng)!)\""
        }
        add("ts", ts)
        if broken != 6 { add("anonymous_id", "\"" + (broken == 7 ? String(repeating: "a", count: 129) : "v" + text(&rng)) + "\"") }
        if Bool.random(using: &rng) { add("id", "\"" + (broken == 8 ? "" : "id-\(rng.next())") + "\"") }
        for key in ["user_id", "session_id", "url", "referrer", "title", "selector", "text"] where Int.random(in: 0..<3, using: &rng) == 0 {
            add(key, Int.random(in: 0..<8, using: &rng) == 0 ? "null" : "\"" + text(&rng) + "\"")
        }
        if Bool.random(using: &rng) { add("x", broken == 9 ? "\"3\"" : String(Int.random(in: -5...3000, using: &rng))) }
        if Bool.random(using: &rng) { add("props", broken == 10 ? "[1]" : object(&rng, depth: 2)) }
        if Int.random(in: 0..<4, using: &rng) == 0 { add("plan", value(&rng, depth: 1)) }
        members.shuffle(using: &rng)
        return "{" + ws(&rng) + members.joined(separator: ws(&rng) + "," + ws(&rng)) + ws(&rng) + "}"
    }

    /// One to three byte edits: flips, structural characters, deletions, a truncation.
    static func mutate(_ bytes: inout [UInt8], _ rng: inout SeededRandom) {
        let specials: [UInt8] = Array("\"\\{}[],:0-e. \u{0}".utf8) + [0x80, 0xC3, 0xFF, 0xED]
        for _ in 0..<Int.random(in: 1...3, using: &rng) where !bytes.isEmpty {
            let i = Int.random(in: 0..<bytes.count, using: &rng)
            switch Int.random(in: 0..<4, using: &rng) {
            case 0: bytes[i] ^= 1 << UInt8.random(in: 0...7, using: &rng)
            case 1: bytes[i] = specials.randomElement(using: &rng)!
            case 2: bytes.remove(at: i)
            default: bytes.removeLast(Int.random(in: 1...min(8, bytes.count), using: &rng))
            }
        }
    }

    /// Whether a number outside strings overflows `Double` (`1e400`): Foundation refuses the
    /// message, Clicklog only the event.
    static func hasOutOfRangeNumber(_ bytes: [UInt8]) -> Bool {
        var inString = false, escaped = false, token: [UInt8] = []
        func overflows() -> Bool { !token.isEmpty && !(Double(String(decoding: token, as: UTF8.self)) ?? 0).isFinite }
        for b in bytes {
            if inString {
                if escaped { escaped = false } else if b == UInt8(ascii: "\\") { escaped = true } else if b == UInt8(ascii: "\"") { inString = false }
                continue
            }
            if b == UInt8(ascii: "\"") { inString = true }
            if (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")) || b == UInt8(ascii: "-") || b == UInt8(ascii: "+") || b == UInt8(ascii: ".") || b == UInt8(ascii: "e") || b == UInt8(ascii: "E") {
                token.append(b)
            } else {
                if overflows() { return true }
                token.removeAll()
            }
        }
        return overflows()
    }

    /// Whether a `,` is followed (after whitespace) by `]` or `}` outside strings: the input
    /// Foundation accepts and RFC 8259 does not.
    static func hasTrailingComma(_ bytes: [UInt8]) -> Bool {
        var inString = false, escaped = false, afterComma = false
        for b in bytes {
            if inString {
                if escaped { escaped = false } else if b == UInt8(ascii: "\\") { escaped = true } else if b == UInt8(ascii: "\"") { inString = false }
                continue
            }
            switch b {
            case UInt8(ascii: "\""): inString = true; afterComma = false
            case UInt8(ascii: ","): afterComma = true
            case UInt8(ascii: "]"), UInt8(ascii: "}"): if afterComma { return true }
            case 0x20, 0x09, 0x0A, 0x0D: break
            default: afterComma = false
            }
        }
        return false
    }
}
