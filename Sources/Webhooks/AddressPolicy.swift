import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Which targets webhooks may be sent to (SSRF protection). By default only public addresses: a
/// merchant must not be able to make metl POST to 127.0.0.1, the bank's private network or a cloud
/// metadata service. `allowPrivate` lifts that for tests and private deployments.
public struct AddressPolicy: Sendable, Hashable {
    public var allowPrivate: Bool

    public init(allowPrivate: Bool = false) {
        self.allowPrivate = allowPrivate
    }

    /// Checks the URL's form: absolute http(s), a host, no user info.
    public func validate(url text: String) throws(WebhookError) -> URL {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
              let host = url.host, !host.isEmpty, url.user == nil, url.password == nil else {
            throw WebhookError(.invalidURL, "the webhook URL must be an absolute http or https URL with a host and no user info")
        }
        return url
    }

    /// Resolves the host and refuses it unless every address is allowed. Resolution (getaddrinfo
    /// blocks) runs on a dispatch queue, off Swift's cooperative pool. With private targets allowed
    /// there is nothing to refuse, so nothing is resolved (the HTTP client resolves to connect).
    public func check(host: String) async throws(WebhookError) {
        if allowPrivate { return }
        let addresses = await Self.resolve(host)
        guard !addresses.isEmpty else { throw WebhookError(.unresolvable, "\(host) does not resolve") }
        if let blocked = addresses.first(where: { !Self.isPublic($0) }) {
            throw WebhookError(.forbiddenAddress, "\(host) resolves to \(Self.format(blocked)), which is not a public address")
        }
    }

    /// A resolved address: 4 or 16 bytes.
    typealias Address = [UInt8]

    static func resolve(_ host: String) async -> [Address] {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                var hints = addrinfo()
                hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
                var list: UnsafeMutablePointer<addrinfo>?
                guard getaddrinfo(host, nil, &hints, &list) == 0, let first = list else {
                    continuation.resume(returning: [])
                    return
                }
                defer { freeaddrinfo(list) }
                var addresses: [Address] = []
                var node: UnsafeMutablePointer<addrinfo>? = first
                while let current = node {
                    if let socketAddress = current.pointee.ai_addr {
                        switch Int32(socketAddress.pointee.sa_family) {
                        case AF_INET:
                            socketAddress.withMemoryRebound(to: sockaddr_in.self, capacity: 1) {
                                addresses.append(withUnsafeBytes(of: $0.pointee.sin_addr) { Array($0) })
                            }
                        case AF_INET6:
                            socketAddress.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) {
                                addresses.append(withUnsafeBytes(of: $0.pointee.sin6_addr) { Array($0) })
                            }
                        default: break
                        }
                    }
                    node = current.pointee.ai_next
                }
                continuation.resume(returning: addresses)
            }
        }
    }

    /// Public unicast only: not unspecified, loopback, RFC 1918, CGNAT, link-local, multicast,
    /// reserved, or the IPv6 equivalents (ULA, link-local, IPv4-mapped private).
    static func isPublic(_ address: Address) -> Bool {
        if address.count == 4 {
            let (a, b) = (address[0], address[1])
            switch a {
            case 0, 10, 127: return false
            case 100 where (64...127).contains(b): return false
            case 169 where b == 254: return false
            case 172 where (16...31).contains(b): return false
            case 192 where b == 168: return false
            case 192 where b == 0 && address[2] == 0: return false
            case 198 where b == 18 || b == 19: return false
            case 224...255: return false
            default: return true
            }
        }
        guard address.count == 16 else { return false }
        if address.allSatisfy({ $0 == 0 }) { return false }                                   // ::
        if address.dropLast().allSatisfy({ $0 == 0 }) && address[15] == 1 { return false }    // ::1
        if address[0...9].allSatisfy({ $0 == 0 }) && address[10] == 0xFF && address[11] == 0xFF {
            return isPublic(Array(address[12...]))                                            // ::ffff:a.b.c.d
        }
        if address[0] & 0xFE == 0xFC { return false }                                          // fc00::/7
        if address[0] == 0xFE && address[1] & 0xC0 == 0x80 { return false }                   // fe80::/10
        if address[0] == 0xFF { return false }                                                 // multicast
        return true
    }

    static func format(_ address: Address) -> String {
        if address.count == 4 { return address.map(String.init).joined(separator: ".") }
        return stride(from: 0, to: address.count, by: 2).map { String(UInt16(address[$0]) << 8 | UInt16(address[$0 + 1]), radix: 16) }
            .joined(separator: ":")
    }
}
