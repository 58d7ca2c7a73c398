import Foundation
import Payments

/// Which targets webhooks may be sent to (SSRF protection). By default only public addresses: a
/// merchant must not be able to make metl POST to 127.0.0.1, the bank's private network or a cloud
/// metadata service, whether the URL names such an address, a name that resolves to one, or an
/// IPv6 form that embeds one. `allowPrivate` lifts that for tests and private deployments.
///
/// A host is resolved once per attempt and the connection goes to the address that was checked
/// (`vet(host:)`), so a name that resolves differently a moment later (DNS rebinding) changes nothing.
public struct AddressPolicy: Sendable {
    public var allowPrivate: Bool
    public var resolver: HostResolver

    public init(allowPrivate: Bool = false, resolver: HostResolver = .system) {
        self.allowPrivate = allowPrivate
        self.resolver = resolver
    }

    /// The policy for deliveries to `endpoint`: this one, with private addresses allowed when an
    /// operator registered the endpoint for them. Registration and delivery read the same grant.
    public func delivering(to endpoint: WebhookEndpoint) -> AddressPolicy {
        var policy = self
        policy.allowPrivate = allowPrivate || endpoint.allowsPrivateAddresses
        return policy
    }

    /// The longest URL accepted.
    public static let maximumURLLength = 2048

    /// Checks the URL's form: absolute http(s), printable ASCII without spaces (a CR or LF would
    /// break every listing and log it appears in), a host, a port from 1 to 65535, no user info.
    public func validate(url text: String) throws(WebhookError) -> URL {
        guard !text.isEmpty, text.utf8.count <= Self.maximumURLLength, text.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) else {
            throw WebhookError(.invalidURL, "the webhook URL must be at most \(Self.maximumURLLength) printable ASCII "
                               + "characters with no spaces or control characters")
        }
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
              let host = url.host, !host.isEmpty, url.user == nil, url.password == nil else {
            throw WebhookError(.invalidURL, "the webhook URL must be an absolute http or https URL with a host and no user info")
        }
        if let port = url.port, !(1...65_535).contains(port) {
            throw WebhookError(.invalidURL, "the webhook URL's port must be 1 to 65535")
        }
        // Foundation drops a port it cannot read (`:99999999999`); the text must not have one then.
        if url.port == nil, let authority = text.split(separator: "/", maxSplits: 3).dropFirst().first,
           authority.last != "]", authority.contains(":") {
            throw WebhookError(.invalidURL, "the webhook URL's port must be 1 to 65535")
        }
        return url
    }

    /// Refuses `host` unless every address it resolves to is allowed (registration).
    public func check(host: String) async throws(WebhookError) {
        _ = try await vet(host: host)
    }

    /// Resolves `host` once and returns the address to connect to, refusing the host unless every
    /// address it resolves to is allowed.
    public func vet(host: String) async throws(WebhookError) -> String {
        let addresses = await resolver.resolve(host)
        guard let first = addresses.first else { throw WebhookError(.unresolvable, "\(host) does not resolve") }
        if !allowPrivate, let blocked = addresses.first(where: { !Self.isPublic($0) }) {
            throw WebhookError(.forbiddenAddress, "\(host) resolves to \(Self.format(blocked)), which is not a public address")
        }
        return Self.format(first)
    }

    /// A resolved address: 4 or 16 bytes.
    public typealias Address = [UInt8]

    /// Public unicast only: not unspecified, loopback, RFC 1918, CGNAT, link-local, documentation,
    /// multicast or reserved; IPv6 likewise (ULA, link-local, documentation, discard), and every
    /// IPv6 form that carries an IPv4 address (compatible, mapped, translated, NAT64, 6to4, Teredo)
    /// is judged by the IPv4 address it carries.
    static func isPublic(_ address: Address) -> Bool {
        if address.count == 4 {
            let (a, b, c) = (address[0], address[1], address[2])
            switch a {
            case 0, 10, 127: return false
            case 100 where (64...127).contains(b): return false
            case 169 where b == 254: return false
            case 172 where (16...31).contains(b): return false
            case 192 where b == 168: return false
            case 192 where b == 0 && (c == 0 || c == 2): return false      // IETF protocol, TEST-NET-1
            case 192 where b == 88 && c == 99: return false                // 6to4 relay anycast
            case 198 where b == 18 || b == 19: return false                // benchmarking
            case 198 where b == 51 && c == 100: return false               // TEST-NET-2
            case 203 where b == 0 && c == 113: return false                // TEST-NET-3
            case 224...255: return false
            default: return true
            }
        }
        guard address.count == 16 else { return false }
        if let embedded = embeddedIPv4(address) { return embedded.allSatisfy(isPublic) }     // also :: and ::1
        if address[0] & 0xFE == 0xFC { return false }                                          // fc00::/7
        if address[0] == 0xFE && address[1] & 0xC0 == 0x80 { return false }                   // fe80::/10
        if address[0] == 0xFE && address[1] & 0xC0 == 0xC0 { return false }                   // fec0::/10 (site-local)
        if address[0] == 0xFF { return false }                                                 // multicast
        if address[0...3] == [0x20, 0x01, 0x0D, 0xB8] { return false }                         // 2001:db8::/32
        if address[0...1] == [0x01, 0x00] && address[2...7].allSatisfy({ $0 == 0 }) { return false } // 100::/64 discard
        if address[0...5] == [0x00, 0x64, 0xFF, 0x9B, 0x00, 0x01] { return false }             // 64:ff9b:1::/48 local NAT64
        return true
    }

    /// The IPv4 addresses an IPv6 address stands for, when it is one of the forms that embed them.
    static func embeddedIPv4(_ address: Address) -> [Address]? {
        let zeros = { (range: ClosedRange<Int>) in address[range].allSatisfy { $0 == 0 } }
        let last4 = Array(address[12...15])
        if zeros(0...9) && address[10] == 0xFF && address[11] == 0xFF { return [last4] }           // ::ffff:a.b.c.d mapped
        if zeros(0...7) && address[8] == 0xFF && address[9] == 0xFF && zeros(10...11) { return [last4] } // ::ffff:0:a.b.c.d
        if zeros(0...11) { return [last4] }                                     // ::a.b.c.d compatible (and :: and ::1)
        if address[0...1] == [0x00, 0x64] && address[2...3] == [0xFF, 0x9B] && zeros(4...11) { return [last4] } // 64:ff9b::/96
        if address[0...1] == [0x20, 0x02] { return [Array(address[2...5])] }                       // 2002::/16 6to4
        if address[0...3] == [0x20, 0x01, 0x00, 0x00] {                                             // 2001::/32 Teredo
            return [Array(address[4...7]), last4.map { $0 ^ 0xFF }]                                 // server, client (inverted)
        }
        return nil
    }

    static func format(_ address: Address) -> String {
        if address.count == 4 { return address.map(String.init).joined(separator: ".") }
        return stride(from: 0, to: address.count, by: 2).map { String(UInt16(address[$0]) << 8 | UInt16(address[$0 + 1]), radix: 16) }
            .joined(separator: ":")
    }
}
