/// What the destination said, sorted into what the cutoff can do about it.
public struct DestinationError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable {
        /// Try again later on a new connection (network down, timeout, dropped session).
        case transient
        /// Retrying will not help: fix configuration (host key, credentials, missing directory, permissions).
        case permanent
        /// The target name exists (no-clobber rename refused).
        case exists
        /// An inbound entry that is not a regular file (a symbolic link, FIFO, device or socket): not read.
        case refused
    }

    public var kind: Kind
    public var message: String
    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }
    public var description: String { "\(kind.rawValue): \(message)" }
}
