#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The reverse proxies whose `X-Forwarded-For` header is believed, as addresses or CIDR
/// networks (`127.0.0.1`, `10.0.0.0/8`, `::1`, `fd00::/8`).
///
/// Empty by default: the header is then ignored, because any client can send one. When the
/// peer is trusted, the client is the right-most address of the header that is not itself a
/// trusted proxy (proxies append, so only the entries they added can be believed).
public struct TrustedProxies: Sendable, Equatable {
    struct Network: Sendable, Equatable {
        /// 16 bytes; IPv4 as an IPv4-mapped IPv6 address.
        var address: [UInt8]
        var prefixLength: Int

        func contains(_ other: [UInt8]) -> Bool {
            var remaining = prefixLength
            var i = 0
            while remaining > 0 {
                let mask: UInt8 = remaining >= 8 ? 0xFF : ~(0xFF >> UInt8(remaining))
                if address[i] & mask != other[i] & mask { return false }
                remaining -= 8
                i += 1
            }
            return true
        }
    }

    private(set) var networks: [Network] = []

    public init() {}

    /// Parses the entries; throws a message naming the first bad entry.
    public init(_ entries: [String]) throws(ConfigurationError) {
        for entry in entries {
            let parts = entry.split(separator: "/", maxSplits: 1).map(String.init)
            guard let address = TrustedProxies.parse(parts.first ?? "") else {
                throw ConfigurationError("trusted_proxies: \"\(entry)\" is not an IP address or CIDR network")
            }
            let isV4 = !parts[0].contains(":")
            let maxLength = isV4 ? 32 : 128
            var length = maxLength
            if parts.count == 2 {
                guard let value = Int(parts[1]), (0...maxLength).contains(value) else {
                    throw ConfigurationError("trusted_proxies: bad prefix length in \"\(entry)\"")
                }
                length = value
            }
            networks.append(Network(address: address, prefixLength: isV4 ? length + 96 : length))
        }
    }

    public var isEmpty: Bool { networks.isEmpty }

    /// Whether `address` (textual IPv4 or IPv6) is a trusted proxy.
    public func contains(_ address: String) -> Bool {
        guard let bytes = TrustedProxies.parse(address) else { return false }
        return networks.contains { $0.contains(bytes) }
    }

    /// The client's address: the peer's, or when the peer is a trusted proxy, the right-most
    /// untrusted address of `X-Forwarded-For` (all values of the header, in order).
    public func clientAddress(peer: String?, forwardedFor: [String]) -> String? {
        guard let peer, !networks.isEmpty, contains(peer) else { return peer }
        let hops = forwardedFor.flatMap { $0.split(separator: ",") }
            .map { $0.trimmingSpaces }
            .filter { !$0.isEmpty }
        for hop in hops.reversed() {
            let address = TrustedProxies.stripPort(hop)
            guard TrustedProxies.parse(address) != nil else { return peer }  // garbage: trust nothing
            if !contains(address) { return address }
        }
        return hops.first.map(TrustedProxies.stripPort) ?? peer
    }

    /// 16 bytes for an IPv4 or IPv6 address (IPv4 mapped into `::ffff:0:0/96`).
    static func parse(_ text: String) -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: 16)
        if text.contains(":") {
            var v6 = in6_addr()
            guard inet_pton(AF_INET6, text, &v6) == 1 else { return nil }
            withUnsafeBytes(of: &v6) { for i in 0..<16 { bytes[i] = $0[i] } }
        } else {
            var v4 = in_addr()
            guard inet_pton(AF_INET, text, &v4) == 1 else { return nil }
            bytes[10] = 0xFF
            bytes[11] = 0xFF
            withUnsafeBytes(of: &v4) { for i in 0..<4 { bytes[12 + i] = $0[i] } }
        }
        return bytes
    }

    /// `1.2.3.4:5678` → `1.2.3.4`, `[::1]:80` → `::1`; other text unchanged.
    static func stripPort(_ hop: String) -> String {
        if hop.hasPrefix("["), let close = hop.firstIndex(of: "]") {
            return String(hop[hop.index(after: hop.startIndex)..<close])
        }
        if hop.filter({ $0 == ":" }).count == 1, let colon = hop.firstIndex(of: ":") {
            return String(hop[..<colon])
        }
        return hop
    }
}

extension Substring {
    var trimmingSpaces: String {
        String(drop(while: { $0 == " " || $0 == "\t" }).reversed().drop(while: { $0 == " " || $0 == "\t" }).reversed())
    }
}
