import Foundation

/// A job lease as recorded: which job, who took it and when, and until when it keeps others out.
/// A row outlives its expiry until the next run takes it over, so a held lease is one not yet
/// released, expired or not.
public struct HeldLease: Sendable, Hashable {
    public var name: String
    /// `host:pid` of the process that took it.
    public var holder: String
    public var acquiredAt: Date
    public var expiresAt: Date

    public init(name: String, holder: String, acquiredAt: Date, expiresAt: Date) {
        self.name = name
        self.holder = holder
        self.acquiredAt = acquiredAt
        self.expiresAt = expiresAt
    }
}
