/// The parts of a URL that queries group and filter on, cut from the bytes without parsing the
/// whole URL (semantics.md: "`path` is the URL's path, without query string or fragment").
///
/// The rules, which the reference SQL in Tests/crosscheck repeats exactly:
/// - cut at the first `#`, then at the first `?`;
/// - with `://` in what is left, the path starts at the first `/` after it, and is `/` when
///   there is none (`https://shop.example` → `/`);
/// - without `://` (a relative URL such as `/cart?x=1`), the path is what is left.
/// The host is what lies between `://` and the next `/`, `?` or `#`, without `user@` or `:port`;
/// a URL without `://` has none.
public enum URLParts {
    public static func path(_ url: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        let s = beforeQuery(url)
        guard let authority = authorityStart(s) else { return s }
        var i = authority
        while i < s.count, s[i] != UInt8(ascii: "/") { i += 1 }
        if i == s.count { return slash }
        return UnsafeRawBufferPointer(rebasing: s[i...])
    }

    public static func host(_ url: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer? {
        guard let start = authorityStart(url) else { return nil }
        var end = start
        var hostStart = start
        while end < url.count {
            let c = url[end]
            if c == UInt8(ascii: "/") || c == UInt8(ascii: "?") || c == UInt8(ascii: "#") { break }
            if c == UInt8(ascii: "@") { hostStart = end + 1 }
            end += 1
        }
        var hostEnd = end
        var i = end
        while i > hostStart {
            i -= 1
            let c = url[i]
            if c == UInt8(ascii: ":") { hostEnd = i; break }
            if c == UInt8(ascii: "]") || c &- 48 >= 10 { break }
        }
        return UnsafeRawBufferPointer(rebasing: url[hostStart..<hostEnd])
    }

    public static func path(_ url: String) -> String {
        Array(url.utf8).withUnsafeBytes { String(decoding: path($0), as: UTF8.self) }
    }

    public static func host(_ url: String) -> String? {
        Array(url.utf8).withUnsafeBytes { host($0).map { String(decoding: $0, as: UTF8.self) } }
    }

    nonisolated(unsafe) private static let slash = UnsafeRawBufferPointer(StaticString("/").withUTF8Buffer { UnsafeRawBufferPointer($0) })

    /// The URL up to its first `#`, then up to its first `?`.
    static func beforeQuery(_ url: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        var end = url.count
        if let hash = url.firstIndex(of: UInt8(ascii: "#")) { end = hash }
        if let question = url[..<end].firstIndex(of: UInt8(ascii: "?")) { end = question }
        return UnsafeRawBufferPointer(rebasing: url[..<end])
    }

    /// Index just past the first `://`, if any.
    static func authorityStart(_ s: UnsafeRawBufferPointer) -> Int? {
        guard s.count >= 3 else { return nil }
        for i in 0...(s.count - 3) where s[i] == UInt8(ascii: ":") && s[i + 1] == UInt8(ascii: "/") && s[i + 2] == UInt8(ascii: "/") {
            return i + 3
        }
        return nil
    }
}
