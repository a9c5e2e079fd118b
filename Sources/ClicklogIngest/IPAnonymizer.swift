/// How much of a client's address is stored (`--ip-mode`).
///
/// The default keeps the network, not the host: IPv4 to /24 and IPv6 to /48, enough for rough
/// geography and abuse analysis, too little to single out a household.
public enum IPMode: String, Sendable, CaseIterable {
    case full
    case anonymized
    case none

    /// The stored form of `address` (textual IPv4 or IPv6), or `nil` for `none` or an address
    /// that cannot be read.
    public func apply(to address: String) -> String? {
        switch self {
        case .none: return nil
        case .full: return address
        case .anonymized:
            // An IPv4 client on a dual-stack socket shows up as ::ffff:a.b.c.d: keep its /24.
            if address.lowercased().hasPrefix("::ffff:"), address.contains(".") {
                return apply(to: String(address.dropFirst(7)))
            }
            if address.contains(":") { return IPMode.truncateIPv6(address) }
            let parts = address.split(separator: ".", omittingEmptySubsequences: false)
            guard parts.count == 4, parts.allSatisfy({ UInt8($0) != nil }) else { return nil }
            return "\(parts[0]).\(parts[1]).\(parts[2]).0"
        }
    }

    /// Keeps the first three 16-bit groups (/48) of an IPv6 address, expanding `::` first.
    static func truncateIPv6(_ address: String) -> String? {
        let halves = address.split(separator: "::", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        func groups(_ s: String) -> [String] { s.isEmpty ? [] : s.split(separator: ":", omittingEmptySubsequences: false).map(String.init) }
        var all = groups(halves[0])
        if halves.count == 2 {
            let tail = groups(halves[1])
            guard all.count + tail.count < 8 else { return nil }
            all += Array(repeating: "0", count: 8 - all.count - tail.count) + tail
        }
        // An IPv4-mapped tail (::ffff:1.2.3.4) counts as two groups; only the first three matter.
        guard all.count >= 3, all.prefix(3).allSatisfy({ $0.count <= 4 && UInt16($0, radix: 16) != nil }) else { return nil }
        let kept = all.prefix(3).map { String(UInt16($0, radix: 16)!, radix: 16) }
        return kept.joined(separator: ":") + "::"
    }
}
