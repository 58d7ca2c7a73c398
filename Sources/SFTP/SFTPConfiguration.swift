/// Where and how to connect. Secrets (password, passphrase) are never printed: `description` omits them.
public struct SFTPConfiguration: Sendable, CustomStringConvertible {
    public enum Authentication: Sendable {
        case privateKey(path: String, passphrase: String?)
        case password(String)
    }

    public var host: String
    public var port: Int
    public var username: String
    public var authentication: Authentication
    /// OpenSSH-format known_hosts file. Verification is mandatory: there is no option to skip it.
    public var knownHostsPath: String
    public var connectTimeout: Duration
    /// Bound on any single blocking libssh2 call (handshake, each read/write round trip).
    public var operationTimeout: Duration

    public init(host: String, port: Int = 22, username: String, authentication: Authentication, knownHostsPath: String,
                connectTimeout: Duration = .seconds(10), operationTimeout: Duration = .seconds(30)) {
        self.host = host
        self.port = port
        self.username = username
        self.authentication = authentication
        self.knownHostsPath = knownHostsPath
        self.connectTimeout = connectTimeout
        self.operationTimeout = operationTimeout
    }

    public var description: String { "sftp://\(username)@\(host):\(port)" }

    /// The name known_hosts uses for this server: `host` on port 22, `[host]:port` otherwise.
    public var knownHostsName: String { port == 22 ? host : "[\(host)]:\(port)" }
}

/// A server's host key, as shown to an operator deciding whether to trust it.
public struct HostKey: Sendable, Hashable {
    /// `ssh-ed25519`, `ssh-rsa`, `ecdsa-sha2-nistp256`, …
    public var type: String
    /// The raw public key blob, base64 (the third column of a known_hosts line).
    public var base64: String
    /// `SHA256:…` as OpenSSH prints it.
    public var fingerprint: String

    /// The known_hosts line for `name`.
    public func knownHostsLine(for name: String) -> String { "\(name) \(type) \(base64)" }
}

/// What `stat` reports.
public struct FileAttributes: Sendable, Hashable {
    public var size: Int64
    public var permissions: UInt32
    public var isDirectory: Bool
    public var isRegularFile: Bool
    /// Only from `stat(_:followingLinks: false)`.
    public var isSymbolicLink: Bool
}
