/// Where mail is submitted: a host, a port and how TLS starts there.
public struct SMTPServer: Sendable, Hashable {
    public enum Security: Sendable, Hashable {
        /// Plain TCP upgraded with STARTTLS before anything else is said (submission, port 587).
        case startTLS
        /// TLS from the first byte (port 465).
        case implicitTLS
    }

    public var host: String
    public var port: Int
    public var security: Security

    public init(host: String, port: Int, security: Security) {
        self.host = host
        self.port = port
        self.security = security
    }

    /// `smtp://host[:port]` (STARTTLS, port 587 unless named) or `smtps://host[:port]` (TLS, 465).
    /// An IPv6 host is bracketed: `smtp://[::1]:2525`.
    public init(address: String) throws(SMTPError) {
        let security: Security
        let rest: Substring
        if address.hasPrefix("smtp://") {
            (security, rest) = (.startTLS, address.dropFirst("smtp://".count))
        } else if address.hasPrefix("smtps://") {
            (security, rest) = (.implicitTLS, address.dropFirst("smtps://".count))
        } else {
            throw SMTPError(.address, "an SMTP address starts smtp:// (STARTTLS) or smtps:// (TLS)")
        }
        let authority = rest.hasSuffix("/") ? rest.dropLast() : rest
        var host: Substring
        var port: Substring?
        if authority.hasPrefix("["), let close = authority.firstIndex(of: "]") {
            host = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw SMTPError(.address, "unexpected \(after) after the host") }
                port = after.dropFirst()
            }
        } else {
            let parts = authority.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            host = parts[0]
            port = parts.count > 1 ? parts[1] : nil
        }
        guard !host.isEmpty, !host.contains(where: { "/@?#".contains($0) || $0.isWhitespace }) else {
            throw SMTPError(.address, "the address names no host (smtp://host:port)")
        }
        let number = try port.map { text throws(SMTPError) -> Int in
            guard let value = Int(text), (1...65_535).contains(value) else { throw SMTPError(.address, "\(text) is not a port") }
            return value
        }
        self.init(host: String(host), port: number ?? (security == .startTLS ? 587 : 465), security: security)
    }

    /// The address as it is written in the configuration.
    public var address: String {
        (security == .startTLS ? "smtp://" : "smtps://") + (host.contains(":") ? "[\(host)]" : host) + ":\(port)"
    }
}
