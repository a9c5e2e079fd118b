/// The path and query of an HTTP request target (`/v1/ws?site=demo`), percent-decoded.
struct RequestTarget: Equatable {
    /// The decoded path; `nil` when its percent-encoding is broken or not UTF-8.
    var path: String?
    /// The raw path, for messages.
    var rawPath: Substring
    var query: Substring

    init(_ uri: String) {
        let cut = uri.firstIndex(where: { $0 == "?" || $0 == "#" }) ?? uri.endIndex
        rawPath = uri[..<cut]
        if cut < uri.endIndex && uri[cut] == "?" {
            let rest = uri[uri.index(after: cut)...]
            query = rest[..<(rest.firstIndex(of: "#") ?? rest.endIndex)]
        } else {
            query = ""
        }
        path = RequestTarget.percentDecode(rawPath, plusIsSpace: false)
    }

    /// The first value of query parameter `name`, decoded (`+` is a space, as in forms).
    func queryValue(_ name: String) -> String? {
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard RequestTarget.percentDecode(parts[0], plusIsSpace: true) == name else { continue }
            return parts.count == 2 ? RequestTarget.percentDecode(parts[1], plusIsSpace: true) : ""
        }
        return nil
    }

    static func percentDecode(_ text: Substring, plusIsSpace: Bool) -> String? {
        guard text.contains("%") || (plusIsSpace && text.contains("+")) else { return String(text) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "%"):
                guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else { return nil }
                bytes.append(high << 4 | low)
            case UInt8(ascii: "+") where plusIsSpace:
                bytes.append(UInt8(ascii: " "))
            default:
                bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
