/// Why a cutoff stopped. Each code maps to one documented exit status.
public struct CutoffError: Error, Sendable, Hashable, CustomStringConvertible {
    public struct Code: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// Another cutoff holds the lock.
        public static let lockHeld = Code(rawValue: "lock_held")
        /// The window was spent; everything done so far is recorded and the next run resumes it.
        public static let windowMissed = Code(rawValue: "window_missed")
        /// A setting is missing or wrong (including an untrusted or changed host key, bad credentials).
        public static let configuration = Code(rawValue: "configuration")
        /// 36 files already went out for this origin, destination and day.
        public static let fileIDModifiersExhausted = Code(rawValue: "file_id_modifiers_exhausted")
        /// The file's status does not allow the operation (retrying a file already at the bank).
        public static let invalidStatus = Code(rawValue: "invalid_status")
        /// A rendered file failed strict validation; it was not recorded or uploaded.
        public static let invalidFile = Code(rawValue: "invalid_file")
        /// Storage or another part failed unexpectedly.
        public static let `internal` = Code(rawValue: "internal")
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }
}

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
