import BankFiles
import Payments

/// Finds our check for what a bank file names: the enrolled account by its number (leading zeros
/// not significant) and the check by serial on it, preferring the live one. Each account's checks
/// are read once per file.
struct CheckMatcher {
    let store: any LedgerStore
    private var accounts: [String: [CheckAccount]] = [:]
    private var checks: [String: [String: [CheckIssue]]] = [:]

    init(store: any LedgerStore) async throws {
        self.store = store
        for account in try await store.checkAccounts(merchantID: nil) {
            accounts[CheckIssue.matchingSerial(account.accountNumber), default: []].append(account)
        }
    }

    /// The enrolled account with this number; nil when none is, and a quarantine when two
    /// merchants enrolled the same number (the file cannot say whose it is).
    func account(number: String, line: Int) throws -> CheckAccount? {
        let found = accounts[CheckIssue.matchingSerial(number)] ?? []
        guard found.count <= 1 else {
            throw InboundQuarantine(reason: "line \(line): account ****\(number.suffix(4)) is enrolled more than once; nothing applied")
        }
        return found.first
    }

    /// The check with `serial` on `account`: the live one, else the latest.
    mutating func check(serial: String, on account: CheckAccount) async throws -> CheckIssue? {
        if checks[account.id] == nil {
            var bySerial: [String: [CheckIssue]] = [:]
            for check in try await store.checks(CheckQuery(accountID: account.id, limit: Int.max)) { bySerial[check.serial, default: []].append(check) }
            checks[account.id] = bySerial
        }
        let candidates = checks[account.id]?[CheckIssue.matchingSerial(serial)] ?? []
        return candidates.last(where: \.isLive) ?? candidates.last
    }
}
