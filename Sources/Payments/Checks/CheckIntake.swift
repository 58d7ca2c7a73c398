import Foundation

/// One check issue to take in, and what a store read for it inside the transaction that persists
/// the plan.
public struct CheckIntake: Sendable, Hashable {
    public var merchantID: String
    public var idempotencyKey: String
    public var check: ValidatedCheck
    public var actor: Actor
    public var source: SourceReference?
    /// Keep the first response (the check document as created) with the key, for replays.
    public var keepsResponse: Bool

    public init(merchantID: String, idempotencyKey: String, check: ValidatedCheck, actor: Actor, source: SourceReference? = nil,
                keepsResponse: Bool = false) {
        self.merchantID = merchantID
        self.idempotencyKey = idempotencyKey
        self.check = check
        self.actor = actor
        self.source = source
        self.keepsResponse = keepsResponse
    }

    public struct Read: Sendable {
        /// The check an earlier request with the same key created, with that request's fingerprint
        /// and the first response kept for it.
        public var existing: (check: CheckIssue, fingerprint: String, response: Data?)?
        /// The account, when it exists.
        public var account: CheckAccount?
        /// The live check of the account that has the serial, if any.
        public var liveSerial: CheckIssue?

        public init(existing: (check: CheckIssue, fingerprint: String, response: Data?)?, account: CheckAccount?, liveSerial: CheckIssue?) {
            self.existing = existing
            self.account = account
            self.liveSerial = liveSerial
        }
    }

    public struct Outcome: Sendable, Hashable {
        public var check: CheckIssue
        /// False when the idempotency key returned an existing check.
        public var created: Bool
        /// The response kept when the check was created, if the intake kept one: what a replay answers.
        public var firstResponse: Data?
        public init(check: CheckIssue, created: Bool, firstResponse: Data? = nil) {
            self.check = check
            self.created = created
            self.firstResponse = firstResponse
        }
    }
}
