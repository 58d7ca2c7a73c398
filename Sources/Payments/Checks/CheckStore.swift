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

    /// What each intake needs (`CheckIntake.Read`), in the intakes' order: the check its key made
    /// with that request's fingerprint and first response, its account, and the account's live
    /// check with its serial.
    func checkIntakeReads(_ intakes: [CheckIntake]) async throws -> [CheckIntake.Read]
    func check(id: String) async throws -> CheckIssue
    /// Checks by id; an id with no check is left out.
    func checks(ids: [String]) async throws -> [String: CheckIssue]
    func checkHistory(checkID: String) async throws -> [HistoryEntry]
    /// The history of each of these checks, by check id then version: a page's histories in one read.
    func checkHistory(checkIDs: [String]) async throws -> [HistoryEntry]
    func checks(_ query: CheckQuery) async throws -> [CheckIssue]
    /// Persists a plan computed elsewhere by `CheckPlanner`, in one transaction: a check no longer
    /// as the plan read it refuses the whole plan with `conflict`.
    func persist(_ plan: CheckPlan) async throws

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
    /// Decisions, oldest first: an exception's or all.
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
