import Foundation
import Logging
import SFTP

/// Where outbound files go: a directory on this machine or on the bank's SFTP server. Both follow
/// the same protocol: write `NAME.part` durably, check its size, rename it to `NAME` without ever
/// replacing an existing file.
public protocol Destination: Sendable, CustomStringConvertible {
    func connect(deadline: ContinuousClock.Instant) async throws(DestinationError) -> any DestinationSession
}

public protocol DestinationSession: Sendable {
    /// The path the bank will see for `name`.
    func path(of name: String) -> String
    /// The size of `name`, or nil when it does not exist.
    func size(of name: String) async throws(DestinationError) -> Int64?
    /// Creates or truncates `name` and writes `bytes`, durably where the destination allows.
    func write(_ bytes: [UInt8], to name: String) async throws(DestinationError)
    /// Renames; fails with `.exists` when `to` exists.
    func renameNoClobber(_ from: String, to: String) async throws(DestinationError)
    func read(_ name: String) async throws(DestinationError) -> [UInt8]
    func remove(_ name: String) async throws(DestinationError)
    func close() async
}

/// Parses `file:///path` and `sftp://user@host:port/path`.
public enum DestinationURL {
    /// How to log in to an `sftp://` destination. Resolved by the caller (the executable reads its
    /// flags and environment); the library reads neither.
    public struct SFTPSettings: Sendable {
        public var identityFile: String?
        public var identityPassphrase: String?
        public var password: String?
        public var knownHosts: String?
        public init(identityFile: String? = nil, identityPassphrase: String? = nil, password: String? = nil,
                    knownHosts: String? = nil) {
            self.identityFile = identityFile
            self.identityPassphrase = identityPassphrase
            self.password = password
            self.knownHosts = knownHosts
        }
    }

    public static func parse(_ text: String, sftp settings: SFTPSettings, logger: Logger) throws(PipelineError) -> any Destination {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased() else {
            throw PipelineError(.configuration, "destination \(text) is not a URL (file:///dir or sftp://user@host:port/dir)")
        }
        switch scheme {
        case "file":
            guard !url.path.isEmpty else { throw PipelineError(.configuration, "destination \(text) has no path") }
            return LocalDirectoryDestination(directory: url.path)
        case "sftp":
            guard let host = url.host, !host.isEmpty, let user = url.user, !user.isEmpty else {
                throw PipelineError(.configuration, "destination \(text) needs a user and a host: sftp://user@host:port/dir")
            }
            guard let knownHosts = settings.knownHosts else {
                throw PipelineError(.configuration, "an SFTP destination needs a known_hosts file: host keys are always verified")
            }
            let authentication: SFTPConfiguration.Authentication
            if let identity = settings.identityFile {
                authentication = .privateKey(path: identity, passphrase: settings.identityPassphrase)
            } else if let password = settings.password {
                authentication = .password(password)
            } else {
                throw PipelineError(.configuration, "an SFTP destination needs a private key or a password")
            }
            let configuration = SFTPConfiguration(host: host, port: url.port ?? 22, username: user, authentication: authentication,
                                                  knownHostsPath: knownHosts)
            return SFTPDestination(configuration: configuration, directory: url.path.isEmpty ? "." : url.path, logger: logger)
        default:
            throw PipelineError(.configuration, "destination scheme \(scheme) is not supported (file or sftp)")
        }
    }
}
