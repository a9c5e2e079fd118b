/// A glob over bytes where `*` matches any run of bytes (including `/` and none) and every other
/// byte matches itself: the `path=` and `selector=` patterns of funnel steps.
///
/// Matching is the classic two-pointer walk that backtracks only to the last `*`, so it is
/// linear in practice and never exponential. Patterns are matched once per distinct value of a
/// block's dictionary, not per event.
public struct Glob: Sendable, Equatable, CustomStringConvertible {
    public let pattern: String
    private let bytes: [UInt8]

    public init(_ pattern: String) {
        self.pattern = pattern
        bytes = Array(pattern.utf8)
    }

    public var description: String { pattern }

    public func matches(_ text: String) -> Bool {
        Array(text.utf8).withUnsafeBytes { matches($0) }
    }

    public func matches(_ text: UnsafeRawBufferPointer) -> Bool {
        let star = UInt8(ascii: "*")
        var p = 0
        var t = 0
        var lastStar = -1
        var resume = 0
        while t < text.count {
            if p < bytes.count, bytes[p] == star {
                lastStar = p
                p += 1
                resume = t
            } else if p < bytes.count, bytes[p] == text[t] {
                p += 1
                t += 1
            } else if lastStar >= 0 {
                p = lastStar + 1
                resume += 1
                t = resume
            } else {
                return false
            }
        }
        while p < bytes.count, bytes[p] == star { p += 1 }
        return p == bytes.count
    }
}
