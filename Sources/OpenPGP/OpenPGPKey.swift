import Foundation

/// A key in the home, as `metl keys list` shows it.
public struct OpenPGPKey: Sendable, Hashable {
    /// What a key (with its subkeys) can be used for.
    public struct Capabilities: OptionSet, Sendable, Hashable {
        public let rawValue: Int
        public init(rawValue: Int) { self.rawValue = rawValue }
        public static let encrypt = Capabilities(rawValue: 1)
        public static let sign = Capabilities(rawValue: 2)
        public static let certify = Capabilities(rawValue: 4)
    }

    public var fingerprint: Fingerprint
    public var userIDs: [String]
    public var created: Date
    /// Nil: never expires.
    public var expires: Date?
    /// Usable now (`gpg`'s key capabilities in upper case: not expired, revoked or disabled).
    public var capabilities: Capabilities
    public var revoked: Bool
    /// Our own key: the home holds its secret part.
    public var hasSecret: Bool

    public init(fingerprint: Fingerprint, userIDs: [String], created: Date, expires: Date?, capabilities: Capabilities, revoked: Bool,
                hasSecret: Bool) {
        self.fingerprint = fingerprint
        self.userIDs = userIDs
        self.created = created
        self.expires = expires
        self.capabilities = capabilities
        self.revoked = revoked
        self.hasSecret = hasSecret
    }

    /// Expired (at `now`) or revoked: the key encrypts and signs nothing.
    public func isDead(at now: Date) -> Bool { revoked || (expires.map { $0 <= now } ?? false) }

    /// Expires within `window` of `now` (and is not already dead).
    public func expiresSoon(at now: Date, within window: TimeInterval) -> Bool {
        guard !isDead(at: now), let expires else { return false }
        return expires.timeIntervalSince(now) < window
    }
}
