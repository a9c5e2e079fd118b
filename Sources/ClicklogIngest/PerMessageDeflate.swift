import NIOHTTP1

/// The permessage-deflate extension (RFC 7692) as this server negotiates it: clients may
/// compress what they send, the server sends its short acks uncompressed (RFC 7692 §6 lets
/// either side send any message uncompressed).
///
/// Browsers offer the extension on every WebSocket and then compress each message by itself;
/// a batch of JSON events shrinks several times, which is what a visitor on a slow link pays
/// for. The server accepts with `client_no_context_takeover`, so no message depends on the one
/// before it and one inflater per event loop serves every connection (`MessageInflater`), and
/// with `server_no_context_takeover`, which costs nothing as it never compresses.
enum PerMessageDeflate {
    static let name = "permessage-deflate"

    /// The `Sec-WebSocket-Extensions` value of the 101 response accepting the first valid
    /// permessage-deflate offer in `headers`, or nil (no offer, or none valid: the connection
    /// goes on without compression). An offer is valid when each parameter of RFC 7692 §7.1
    /// appears at most once with a value it allows, and nothing else appears.
    static func response(to headers: HTTPHeaders) -> String? {
        let offers = headers[canonicalForm: "sec-websocket-extensions"].flatMap { split(String($0), on: ",") }
        for offer in offers {
            let parts = split(offer, on: ";")
            guard let first = parts.first, first.lowercased() == name else { continue }
            if let response = accept(parts.dropFirst()) { return response }
        }
        return nil
    }

    private static func accept(_ parameters: ArraySlice<String>) -> String? {
        var seen = Set<String>()
        var serverWindowBits: Int?
        for parameter in parameters {
            let pair = parameter.split(separator: "=", maxSplits: 1).map { trim(String($0)) }
            let key = pair[0].lowercased()
            let value = pair.count == 2 ? unquote(pair[1]) : nil
            guard seen.insert(key).inserted else { return nil }
            switch key {
            case "server_no_context_takeover", "client_no_context_takeover":
                guard value == nil else { return nil }
            case "server_max_window_bits":
                guard let value, let bits = windowBits(value) else { return nil }
                serverWindowBits = bits
            case "client_max_window_bits":
                // Without a value the client only says it understands the parameter; any
                // window is fine for inflating, so the response leaves it out.
                if let value, windowBits(value) == nil { return nil }
            default:
                return nil
            }
        }
        var response = "\(name); server_no_context_takeover; client_no_context_takeover"
        // The server never compresses, so any window the client asks it to keep to is kept.
        if let serverWindowBits { response += "; server_max_window_bits=\(serverWindowBits)" }
        return response
    }

    /// A window size parameter: 8 to 15, in plain digits (RFC 7692 §7.1.2).
    private static func windowBits(_ text: String) -> Int? {
        guard text.count <= 2, text.allSatisfy(\.isASCII), text.allSatisfy(\.isNumber), !text.hasPrefix("0"),
            let bits = Int(text), (8...15).contains(bits)
        else { return nil }
        return bits
    }

    /// Splits on `separator` outside double quotes, trimming each piece and dropping empty ones.
    private static func split(_ text: String, on separator: Character) -> [String] {
        var pieces: [String] = []
        var current = ""
        var quoted = false
        for character in text {
            if character == "\"" { quoted.toggle() }
            if character == separator && !quoted {
                pieces.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        pieces.append(current)
        return pieces.map(trim).filter { !$0.isEmpty }
    }

    private static func trim(_ text: String) -> String {
        String(text.drop(while: { $0 == " " || $0 == "\t" }).reversed().drop(while: { $0 == " " || $0 == "\t" }).reversed())
    }

    private static func unquote(_ text: String) -> String {
        guard text.count >= 2, text.hasPrefix("\""), text.hasSuffix("\"") else { return text }
        return String(text.dropFirst().dropLast())
    }
}
