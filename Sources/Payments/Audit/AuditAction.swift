/// What a change set did, as the audit log names it.
public enum AuditAction: String, Sendable, Hashable, Codable, CaseIterable {
    /// The first entry: the rows written before the log existed.
    case genesis
    /// New payments taken in (API, CLI).
    case intake
    /// A CSV import made visible, with every row it staged.
    case importPublished = "import_published"
    /// A payment's change of state or a note (cancel, an operator's step).
    case transition
    /// Funds paid in.
    case funding
    /// A file rendered and its items bound to it.
    case fileRendered = "file_rendered"
    /// A file's change: uploaded (its items submitted), cancelled, rejected, expired.
    case fileChanged = "file_changed"
    /// A failed try at delivering files.
    case deliveryFailed = "delivery_failed"
    /// A piece of a bank file applied.
    case bankFile = "bank_file"
    /// Check issues, voids and exception decisions.
    case checks
    /// An approver's approval or rejection.
    case approval
    /// An operator enrolled or changed.
    case operatorChanged = "operator_changed"
    /// A merchant added.
    case merchantAdded = "merchant_added"
    /// An API key created or revoked.
    case apiKeyChanged = "api_key_changed"
    /// A webhook endpoint added, enabled, disabled or its secret rotated.
    case endpointChanged = "endpoint_changed"
    /// Webhook events delivered again.
    case webhooksReplayed = "webhooks_replayed"
    /// A quarantined bank file closed by an operator.
    case inboundDismissed = "inbound_dismissed"
    /// A scheduled job's run began (with its configuration's digest) or ended (with its outcome).
    case jobStarted = "job_started"
    case jobEnded = "job_ended"
    /// An operator signed in to the console, or a sign-in was refused (and perhaps locked the name out).
    case signedIn = "signed_in"
    case signInRefused = "sign_in_refused"
    /// A full account number shown to an operator who asked to see it.
    case accountRevealed = "account_revealed"
    /// A change set no caller named: its rows are covered all the same.
    case ledgerChange = "ledger_change"
}
