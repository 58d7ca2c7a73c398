import Foundation
import Payments
import Pipeline

/// What an operator can set about the console, and what it needs from the rest of metl.
public struct ConsoleConfiguration: Sendable {
    /// Sessions end after this long without a request, and after `sessionLifetime` whatever happens.
    public var sessionIdle: Duration = .seconds(30 * 60)
    public var sessionLifetime: Duration = .seconds(12 * 3600)
    /// This many refused sign-ins of one name within `signInLockout` lock the name out for that long.
    public var signInFailures = 5
    public var signInLockout: Duration = .seconds(15 * 60)
    /// Served over TLS: cookies are `Secure` and browsers are told to stay on HTTPS.
    public var secure = false
    /// Where outbound and bank files are archived (downloads, SHA-256 checks); nil: not on this host.
    public var archive: Archive?
    /// Opens sealed TOTP secrets: sign-in with a code, enrolment. Nil: TOTP cannot be enrolled here.
    public var secrets: SealedSecret?
    /// Verifies the signature of audit checkpoints.
    public var auditKey: AuditSigningKey?
    /// The bank profiles' days, for the next window on the Today page.
    public var schedules: [(profile: String, schedule: CutoffSchedule)] = []
    /// The cutoffs a failed file is retried through (each holds its profile's lock); empty: retry
    /// is refused with the reason.
    public var cutoffs: [CutoffJob] = []
    /// Why `cutoffs` is empty, when it is: shown on a refused retry.
    public var cutoffsUnavailable = "the cutoff is not configured for this server"
    /// Where the alert of a verification that fails goes (`audit_verification_failed`).
    public var alertRouting = AlertRouting.none
    /// Rows on one page of a list.
    public var pageSize = 50
    public var clock: @Sendable () -> Date = { Date() }

    public init() {}
}
