import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// Turns a host (a name or an address literal) into the addresses to check and connect to. The
/// system resolver is the default; tests give names answers of their own.
public struct HostResolver: Sendable {
    let resolve: @Sendable (String) async -> [AddressPolicy.Address]

    public init(_ resolve: @escaping @Sendable (String) async -> [AddressPolicy.Address]) {
        self.resolve = resolve
    }

    /// getaddrinfo, on a dispatch queue: it blocks, so it stays off Swift's cooperative pool. An
    /// address literal is parsed without a lookup.
    public static let system = HostResolver { host in
        if let literal = numeric(host) { return [literal] }
        return await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: lookup(host, flags: 0)) }
        }
    }

    /// An IPv4 or IPv6 literal in any form getaddrinfo reads without a lookup (`127.1` included).
    static func numeric(_ host: String) -> AddressPolicy.Address? {
        lookup(host, flags: AI_NUMERICHOST).first
    }

    private static func lookup(_ host: String, flags: Int32) -> [AddressPolicy.Address] {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = flags
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &list) == 0, let first = list else { return [] }
        defer { freeaddrinfo(list) }
        var addresses: [AddressPolicy.Address] = []
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
        return addresses
    }
}
