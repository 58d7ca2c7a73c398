import Foundation

/// One change to an operator, as its history keeps it: who made it, what it was, when. Who may do
/// what is state like any other: it never changes without a row saying who changed it.
public struct OperatorChange: Sendable, Hashable {
    public var operatorID: String
    /// The operator's version after the change.
    public var version: Int
    public var actor: Actor
    /// What changed, in words: `enrolled as admin`, `roles operator,approver (were operator)`, `disabled`.
    public var change: String
    public var at: Date

    public init(operatorID: String, version: Int, actor: Actor, change: String, at: Date) {
        self.operatorID = operatorID
        self.version = version
        self.actor = actor
        self.change = change
        self.at = at
    }

    /// What turned `before` into `after`, in words; never a password or a secret.
    static func describe(from before: Operator, to after: Operator) -> String {
        var parts: [String] = []
        func roles(_ person: Operator) -> String { person.roles.sorted().map(\.rawValue).joined(separator: ",") }
        if before.roles != after.roles { parts.append("roles \(roles(after)) (were \(roles(before)))") }
        if before.isEnabled != after.isEnabled { parts.append(after.isEnabled ? "enabled" : "disabled") }
        if before.email != after.email { parts.append("email \(after.email ?? "removed")") }
        if before.passwordHash != after.passwordHash { parts.append("password set") }
        if before.sealedTOTPSecret != after.sealedTOTPSecret { parts.append(after.sealedTOTPSecret == nil ? "TOTP reset" : "TOTP enrolled") }
        return parts.isEmpty ? "no change" : parts.joined(separator: "; ")
    }
}
