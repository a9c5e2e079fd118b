import Foundation

/// One ack as the load generator reads it:
/// `{"ack": N, "accepted": 47, "duplicates": 1, "rejected": [{"index": 3, "error": "…"}]}`.
///
/// Only the counts matter to the generator, so `rejected` is counted, not decoded. An ack with an
/// `error` member (the server's answer to a malformed message) is kept as such: the generator
/// never sends one on purpose, so it is always a mismatch.
struct LoadAck: Equatable, Sendable {
    var ack: Int64?
    var accepted = 0
    var duplicates = 0
    var rejected = 0
    /// The first rejection's or the message's `error` text, for the report (at most 200 bytes).
    var error: String?

    /// Every event the ack accounts for.
    var events: Int { accepted + duplicates + rejected }

    /// Parses one ack message; `nil` when the bytes are not a JSON object or `ack` is not an
    /// integer. Unknown members are skipped, so servers may add fields.
    static func parse(_ bytes: UnsafeRawBufferPointer) -> LoadAck? {
        var reader = AckReader(bytes: bytes)
        return reader.ack()
    }

    static func parse(_ text: String) -> LoadAck? {
        var text = text
        return text.withUTF8 { parse(UnsafeRawBufferPointer($0)) }
    }
}

/// A forward-only reader over one ack: just enough JSON to find the counts, no allocation unless
/// the ack carries an error text.
private struct AckReader {
    var scan: LoadJSONScanner

    init(bytes: UnsafeRawBufferPointer) {
        scan = LoadJSONScanner(bytes: bytes)
    }

    mutating func ack() -> LoadAck? {
        var result = LoadAck()
        scan.skipSpace()
        guard scan.take(UInt8(ascii: "{")) else { return nil }
        scan.skipSpace()
        if scan.take(UInt8(ascii: "}")) { return nil }
        while true {
            scan.skipSpace()
            guard let key = keyName() else { return nil }
            scan.skipSpace()
            guard scan.take(UInt8(ascii: ":")) else { return nil }
            scan.skipSpace()
            switch key {
            case .ack:
                guard let value = scan.integer() else { return nil }
                result.ack = value
            case .accepted:
                guard let value = scan.integer() else { return nil }
                result.accepted = Int(clamping: value)
            case .duplicates:
                guard let value = scan.integer() else { return nil }
                result.duplicates = Int(clamping: value)
            case .rejected:
                guard let count = rejections(into: &result) else { return nil }
                result.rejected = count
            case .error:
                let start = scan.i
                guard scan.skipValue() else { return nil }
                if result.error == nil { result.error = scan.text(start..<scan.i) }
            case .other:
                guard scan.skipValue() else { return nil }
            }
            scan.skipSpace()
            if scan.take(UInt8(ascii: ",")) { continue }
            guard scan.take(UInt8(ascii: "}")) else { return nil }
            return result.ack == nil ? nil : result
        }
    }

    private enum Key { case ack, accepted, duplicates, rejected, error, other }

    private mutating func keyName() -> Key? {
        guard let name = scan.stringContents() else { return nil }
        @inline(__always) func equals(_ literal: StaticString) -> Bool {
            guard name.count == literal.utf8CodeUnitCount else { return false }
            let expected = UnsafeRawBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount)
            return memcmp(name.baseAddress!, expected.baseAddress!, name.count) == 0
        }
        switch name.count {
        case 3 where equals("ack"): return .ack
        case 5 where equals("error"): return .error
        case 8 where equals("accepted"): return .accepted
        case 8 where equals("rejected"): return .rejected
        case 10 where equals("duplicates"): return .duplicates
        default: return .other
        }
    }

    /// Counts the elements of the `rejected` array, keeping the first one's text as the error.
    private mutating func rejections(into result: inout LoadAck) -> Int? {
        guard scan.take(UInt8(ascii: "[")) else { return nil }
        scan.skipSpace()
        if scan.take(UInt8(ascii: "]")) { return 0 }
        var count = 0
        while true {
            scan.skipSpace()
            let start = scan.i
            guard scan.skipValue() else { return nil }
            if count == 0, result.error == nil { result.error = scan.text(start..<scan.i) }
            count += 1
            scan.skipSpace()
            if scan.take(UInt8(ascii: ",")) { continue }
            guard scan.take(UInt8(ascii: "]")) else { return nil }
            return count
        }
    }
}
