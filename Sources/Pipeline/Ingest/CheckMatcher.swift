import BankFiles
import Payments

/// Finds our check for what a bank file names: the enrolled account by its number (leading zeros
/// not significant), then the check on it by serial **and** amount, and issue date where the record
/// carries one. A record that matches a serial but not the rest is never applied to the check
/// that shares the serial (a reissued check keeps its predecessor's serial): it is a discrepancy
/// for a person. Each account's checks are read once per file.
struct CheckMatcher {
    let store: any LedgerStore
    private var accounts: [String: [CheckAccount]] = [:]
    private var checks: [String: [String: [CheckIssue]]] = [:]

    /// What a record's serial, amount and date found.
    enum Match {
        /// The one check they describe.
        case check(CheckIssue)
        /// Checks with the serial, none with the amount (and date): the record is about none of them.
        case serialOnly([CheckIssue])
        /// No check with the serial was ever issued on the account.
        case none
    }

    init(store: any LedgerStore) async throws {
        self.store = store
        // A disabled enrolment matches nothing: how an operator resolves a number enrolled twice.
        for account in try await store.checkAccounts(merchantID: nil) where account.isEnabled {
            accounts[account.matchingNumber, default: []].append(account)
        }
    }

    /// The enabled account with this number; nil when none is, and a quarantine when two enabled
    /// enrolments share it (at two routing numbers, or from before enrolment refused it): the file
    /// cannot say whose it is until an operator disables one.
    func account(number: String, line: Int) throws -> CheckAccount? {
        let found = accounts[CheckIssue.matchingSerial(number)] ?? []
        guard found.count <= 1 else {
            throw InboundQuarantine(reason: "line \(line): account ****\(number.suffix(4)) is enrolled more than once (\(found.map(\.id).joined(separator: ", "))); "
                                    + "nothing applied. Disable the wrong one (metl checks accounts disable ID) and retry the file (metl ingest --retry)")
        }
        return found.first
    }

    /// Every check with `serial` on `account`, oldest first.
    private mutating func candidates(serial: String, on account: CheckAccount) async throws -> [CheckIssue] {
        if checks[account.id] == nil {
            var bySerial: [String: [CheckIssue]] = [:]
            for check in try await store.checks(CheckQuery(accountID: account.id, limit: Int.max)) { bySerial[check.serial, default: []].append(check) }
            checks[account.id] = bySerial
        }
        return checks[account.id]?[CheckIssue.matchingSerial(serial)] ?? []
    }

    /// The check a bank record describes: `serial` and `amount` on `account`, and `issueDate`
    /// (`YYYYMMDD`) when the record carries one. Among several that fit, the live one.
    mutating func check(serial: String, amount: Int64, issueDate: String?, on account: CheckAccount) async throws -> Match {
        let withSerial = try await candidates(serial: serial, on: account)
        guard !withSerial.isEmpty else { return .none }
        let fitting = withSerial.filter { check in
            check.amount == amount && (issueDate.map { $0 == check.issueDate.yyyymmdd } ?? true)
        }
        guard let found = fitting.last(where: \.isLive) ?? fitting.last else { return .serialOnly(withSerial) }
        return .check(found)
    }

    /// The issued check an exception names: by serial, and by the issued amount when the bank
    /// states it; the live one first. Nil when none fits: the exception stands on its own.
    mutating func exceptionCheck(serial: String, issuedAmount: Int64?, on account: CheckAccount) async throws -> CheckIssue? {
        let fitting = try await candidates(serial: serial, on: account).filter { issuedAmount == nil || $0.amount == issuedAmount }
        return fitting.last(where: \.isLive) ?? fitting.last
    }
}
