import Crypto
import Foundation

/// A known_hosts file's text, as `metl sftp trust` reads and changes it: the keys it holds for a
/// server, and the text with a server's keys replaced. Hashed names (`|1|…`) are kept as they are
/// and never matched: they name no server this can read.
public struct KnownHosts: Sendable {
    public private(set) var text: String

    public init(text: String) {
        self.text = text
    }

    /// The keys recorded for `name` (`host` or `[host]:port`).
    public func keys(for name: String) -> [HostKey] {
        lines.compactMap { Self.entry($0, for: name) }
    }

    /// The text with every key of `name` removed and `key` recorded for it.
    public func replacing(_ name: String, with key: HostKey) -> KnownHosts {
        let kept = lines.filter { Self.entry($0, for: name) == nil }
        return KnownHosts(text: (kept + [key.knownHostsLine(for: name)]).joined(separator: "\n") + "\n")
    }

    /// The text with `key` added for `name`.
    public func adding(_ name: String, _ key: HostKey) -> KnownHosts {
        let separator = text.isEmpty || text.hasSuffix("\n") ? "" : "\n"
        return KnownHosts(text: text + separator + key.knownHostsLine(for: name) + "\n")
    }

    /// `SHA256:…` of a key blob, as OpenSSH prints it.
    public static func fingerprint(base64: String) -> String {
        guard let blob = Data(base64Encoded: base64) else { return "SHA256:unreadable" }
        return "SHA256:" + Data(SHA256.hash(data: blob)).base64EncodedString().replacingOccurrences(of: "=", with: "")
    }

    private var lines: [String] { text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init).filter { !$0.isEmpty } }

    /// The key a line records for `name`, or nil.
    private static func entry(_ line: String, for name: String) -> HostKey? {
        let fields = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        guard fields.count >= 3, !fields[0].hasPrefix("#"), !fields[0].hasPrefix("@"),
              fields[0].split(separator: ",").contains(where: { $0 == name }) else { return nil }
        return HostKey(type: fields[1], base64: fields[2], fingerprint: fingerprint(base64: fields[2]))
    }
}
