import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An IPv4 or IPv6 address as its bytes (4 or 16): what the upstream guard and the trusted-proxy list compare.
public struct IPAddress: Sendable, Hashable, CustomStringConvertible {
    public let bytes: [UInt8]

    public init?(bytes: [UInt8]) {
        guard bytes.count == 4 || bytes.count == 16 else { return nil }
        self.bytes = bytes
    }

    /// A numeric address (`192.0.2.1`, `2001:db8::1`, `[::1]`, `fe80::1%eth0`); nil for anything else, names included.
    public init?(_ text: String) {
        var text = Substring(text)
        if text.hasPrefix("["), text.hasSuffix("]") { text = text.dropFirst().dropLast() }
        if let zone = text.firstIndex(of: "%") { text = text[..<zone] }
        guard !text.isEmpty, text.utf8.count < 64 else { return nil }
        var v4 = in_addr()
        if inet_pton(AF_INET, String(text), &v4) == 1 {
            bytes = withUnsafeBytes(of: &v4) { Array($0) }
            return
        }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, String(text), &v6) == 1 else { return nil }
        bytes = withUnsafeBytes(of: &v6) { Array($0) }
    }

    public var isIPv4: Bool { bytes.count == 4 }

    public var description: String {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let family = isIPv4 ? AF_INET : AF_INET6
        let text = bytes.withUnsafeBytes { raw in inet_ntop(family, raw.baseAddress, &buffer, socklen_t(buffer.count)) }
        guard text != nil else { return "?" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The IPv4 address an IPv6 one stands for (`::ffff:a.b.c.d` mapped, `64:ff9b::a.b.c.d` NAT64), so both forms
    /// classify alike.
    var embeddedIPv4: IPAddress? {
        guard bytes.count == 16 else { return nil }
        let mapped = bytes[0..<10].allSatisfy { $0 == 0 } && bytes[10] == 0xff && bytes[11] == 0xff
        let nat64 = bytes[0..<12] == [0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0]
        return mapped || nat64 ? IPAddress(bytes: Array(bytes[12..<16])) : nil
    }

    /// False for addresses that lead inside: loopback, private (RFC 1918, ULA), link-local (cloud metadata at
    /// 169.254.169.254), CGNAT (other clouds' metadata), unspecified, multicast and reserved ranges. The documentation
    /// and benchmarking ranges count as public, as in Stripe's Smokescreen: nothing internal lives there by
    /// convention, and egress proxies with fake-IP DNS answer every public name with one of them.
    public var isPublic: Bool {
        if let v4 = embeddedIPv4 { return v4.isPublic }
        if isIPv4 { return !Self.reservedIPv4.contains { $0.contains(self) } }
        // IPv6: only global unicast (2000::/3), less the special blocks inside it.
        return Self.globalIPv6.contains(self) && !Self.reservedIPv6.contains { $0.contains(self) }
    }

    private static let reservedIPv4: [IPAddressRange] = [
        "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.0.0.0/24",
        "192.168.0.0/16", "224.0.0.0/4", "240.0.0.0/4",
    ].map { IPAddressRange($0)! }
    private static let globalIPv6 = IPAddressRange("2000::/3")!
    /// IETF protocol assignments (Teredo among them), 6to4 (it embeds any IPv4 address, private ones included).
    private static let reservedIPv6: [IPAddressRange] = ["2001::/23", "2002::/16"].map { IPAddressRange($0)! }
}

/// A CIDR block (`10.0.0.0/8`, `fd00::/8`); a bare address is its own /32 or /128.
public struct IPAddressRange: Sendable, Hashable, CustomStringConvertible {
    public let network: IPAddress
    public let prefixLength: Int

    public init?(_ text: String) {
        let parts = text.trimmingCharacters(in: .whitespaces).split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 1 || parts.count == 2, let address = IPAddress(String(parts[0])) else { return nil }
        let maximum = address.bytes.count * 8
        if parts.count == 2 {
            guard let length = Int(parts[1]), (0...maximum).contains(length), parts[1].allSatisfy(\.isASCII) else { return nil }
            prefixLength = length
        } else {
            prefixLength = maximum
        }
        network = address
    }

    public var description: String { "\(network)/\(prefixLength)" }

    /// Whether `address` is inside the block; an IPv4-mapped IPv6 address counts as its IPv4 address.
    public func contains(_ address: IPAddress) -> Bool {
        let candidate = address.bytes.count == network.bytes.count ? address : (address.embeddedIPv4 ?? address)
        guard candidate.bytes.count == network.bytes.count else { return false }
        var remaining = prefixLength
        for (a, b) in zip(candidate.bytes, network.bytes) where remaining > 0 {
            let bits = min(8, remaining)
            let mask = UInt8(truncatingIfNeeded: 0xff << (8 - bits))
            if a & mask != b & mask { return false }
            remaining -= bits
        }
        return true
    }
}
