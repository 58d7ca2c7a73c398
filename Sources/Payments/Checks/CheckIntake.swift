import Foundation

/// One check issue to take in, and what a store read for it inside the transaction that persists
/// the plan.
public struct CheckIntake: Sendable, Hashable {
    public var merchantID: String
    public var idempotencyKey: String
    public var check: ValidatedCheck
    public var actor: Actor
    public var source: SourceReference?

    public init(merchantID: String, idempotencyKey: String, check: ValidatedCheck, actor: Actor, source: SourceReference? = nil) {
        self.merchantID = merchantID
        self.idempotencyKey = idempotencyKey
        self.check = check
        self.actor = actor
        self.source = source
    }

    public struct Read: Sendable {
        /// The check an earlier request with the same key created, with that request's fingerprint.
        public var existing: (check: CheckIssue, fingerprint: String)?
        /// The account, when it exists.
        public var account: CheckAccount?
        /// The live check of the account that has the serial, if any.
        public var liveSerial: CheckIssue?

        public init(existing: (check: CheckIssue, fingerprint: String)?, account: CheckAccount?, liveSerial: CheckIssue?) {
            self.existing = existing
            self.account = account
            self.liveSerial = liveSerial
        }
    }

    public struct Outcome: Sendable, Hashable {
        public var check: CheckIssue
        /// False when the idempotency key returned an existing check.
        public var created: Bool
        public init(check: CheckIssue, created: Bool) {
            self.check = check
            self.created = created
        }
    }
}
