import Foundation

/// A person who operates metl: a unique name, roles, and the credentials an approval asks for.
public struct Operator: Sendable, Hashable, Identifiable {
    public static let idPrefix = "opr"

    public var id: String
    public var name: String
    public var roles: Set<OperatorRole>
    public var email: String?
    /// bcrypt of the password (`PasswordHash`); nil until one is set.
    public var passwordHash: String?
    /// The TOTP secret sealed with the configuration's key (`SealedSecret`); nil until enrolled.
    public var sealedTOTPSecret: String?
    /// The last 30-second step a code was accepted for: each code is accepted once.
    public var lastTOTPStep: Int64?
    public var disabledAt: Date?
    public var createdAt: Date
    public var updatedAt: Date
    /// Bumped by every change: a change is written only over the version it read.
    public var version: Int

    public init(id: String, name: String, roles: Set<OperatorRole>, email: String?, passwordHash: String?, sealedTOTPSecret: String?,
                lastTOTPStep: Int64?, disabledAt: Date?, createdAt: Date, updatedAt: Date, version: Int) {
        self.id = id
        self.name = name
        self.roles = roles
        self.email = email
        self.passwordHash = passwordHash
        self.sealedTOTPSecret = sealedTOTPSecret
        self.lastTOTPStep = lastTOTPStep
        self.disabledAt = disabledAt
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.version = version
    }

    public var isEnabled: Bool { disabledAt == nil }

    /// How history rows name this person.
    public var actor: Actor { Actor(rawValue: name) }

    /// Whether this person may act in `role` now: enabled and holding it.
    public func may(_ role: OperatorRole) -> Bool { isEnabled && roles.contains(role) }
}
