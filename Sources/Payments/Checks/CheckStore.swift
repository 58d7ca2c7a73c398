import Foundation

/// Storage for Positive Pay: enrolled accounts and check issues, under the same contract as
/// `PaymentStore` (one transaction per call, plans persisted whole or refused with `conflict`,
/// `PaymentError` for refusals).
public protocol CheckStore: Sendable {
    /// Enrols an account, unless `CheckAccount.enrolmentConflict` finds an enabled account with the
    /// same routing and matching number (any merchant's), read in the same transaction: then
    /// `duplicateAccount`, naming it. Two enrolments at once never both succeed.
    func addCheckAccount(_ account: CheckAccount) async throws -> CheckAccount
    /// `CheckAccount.disabled(at:)` on the account as stored: it takes no new checks and bank files
    /// no longer match it. `notFound` for an unknown id.
    func disableCheckAccount(id: String, at now: Date) async throws -> CheckAccount
    func checkAccount(id: String) async throws -> CheckAccount
    func checkAccounts(merchantID: String?) async throws -> [CheckAccount]

    /// Takes in every intake or none (`CheckPlanner.takeIn`): the same key and request returns the
    /// check it made; a live serial for the account makes the check P_FAILED (`serial_live`).
    func issueChecks(_ intakes: [CheckIntake]) async throws -> [CheckIntake.Outcome]
    func check(id: String) async throws -> CheckIssue
    /// Checks by id; an id with no check is left out.
    func checks(ids: [String]) async throws -> [String: CheckIssue]
    func checkHistory(checkID: String) async throws -> [HistoryEntry]
    func checks(_ query: CheckQuery) async throws -> [CheckIssue]
    /// Persists a plan computed elsewhere by `CheckPlanner`, in one transaction: a check no longer
    /// as the plan read it refuses the whole plan with `conflict`.
    func persist(_ plan: CheckPlan) async throws
    /// `CheckPlanner.void` on the check as stored.
    func voidCheck(id: String, actor: Actor, source: SourceReference?) async throws -> CheckIssue

    /// What the next issue files carry: P_VALIDATED checks not in a file, and requested voids not
    /// yet in one, with their accounts, oldest first.
    func pendingCheckRecords(limit: Int) async throws -> [PendingCheckRecord]
    /// Records a rendered issue file and persists `binding` (`CheckPlanner.bindIssue`/`bindVoid`)
    /// in one transaction.
    func recordRenderedFile(_ file: OutboundFile, checks binding: CheckPlan) async throws
    /// Exceptions, oldest first: a merchant's or all, in a status or all.
    func checkExceptions(merchantID: String?, status: CheckException.Status?) async throws -> [CheckException]
    /// The exception the bank reported as `bankReference` on the account, if it was recorded.
    func checkException(accountID: String, bankReference: String) async throws -> CheckException?
    func checkException(id: String) async throws -> CheckException
    /// `CheckPlanner.decide` on the exception as stored, in one transaction.
    func decideException(id: String, decision: CheckException.Decision, returnReason: String?, actor: Actor,
                         source: SourceReference?, at now: Date) async throws -> ExceptionDecision
    /// Every exception past its deadline, settled with the decision the bank applied
    /// (`CheckPlanner.settle`), in one transaction; returns those it closed.
    func closeLapsedExceptions(at now: Date, actor: Actor) async throws -> [CheckException]
    func decisions(exceptionID: String?) async throws -> [ExceptionDecision]
    func decisionHistory(decisionID: String) async throws -> [HistoryEntry]
    /// Validated decisions not yet in a file, with their exceptions and accounts, oldest first.
    func pendingDecisions(limit: Int) async throws -> [PendingDecision]
    /// The decisions with a record in the file, in line order.
    func fileDecisions(fileID: String) async throws -> [ExceptionDecision]
    /// The checks with a record in the file, in line order.
    func fileChecks(fileID: String) async throws -> [CheckIssue]
}

extension CheckStore {
    /// The merchant's enrolled account `id`, or nil when it is unknown or another merchant's:
    /// `CheckIssueRequest.validate` reports that with the request's other problems.
    public func enrolledAccount(_ id: String, of merchantID: String) async throws -> CheckAccount? {
        let account: CheckAccount?
        do {
            account = try await checkAccount(id: id)
        } catch let error as PaymentError where error.code == .notFound {
            account = nil
        }
        return account.flatMap { $0.merchantID == merchantID ? $0 : nil }
    }
}
