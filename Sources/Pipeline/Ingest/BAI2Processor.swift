import BankFiles
import NACHA
import Payments

/// BAI2 reports: the ACH settlement lines that settle our batches, and the checks paid (detail
/// type `475`, the serial in the customer reference) on our enrolled accounts.
public struct BAI2Processor: InboundProcessor {
    public let kind = InboundKind.bai2

    /// BAI2 detail type codes treated as ACH settlement of our batches (README documents them):
    /// credits to our account settle our debit batches, debits settle our credit batches.
    public static let settlementCreditTypeCodes: Set<String> = ["165", "166", "169"]
    public static let settlementDebitTypeCodes: Set<String> = ["455", "466", "469"]
    /// A check paid from the account.
    public static let checkPaidTypeCode = "475"

    public init() {}

    /// BAI2 settlement: each ACH settlement detail matched to exactly one unsettled batch by direction,
    /// amount and effective date. Unmatched or ambiguous lines are reported, never guessed. A paid
    /// check matching an issued one (account, serial, amount) completes it; one on an account we do
    /// not enroll, an unknown serial or another amount is reported for the operator, not applied:
    /// a balance report is not the Positive Pay file, and its settlements still apply.
    public func read(_ path: String, from archive: Archive, fileID: String, store: any LedgerStore,
                     pieceSize: Int, _ body: (InboundPlan) async throws -> Void) async throws {
        let bytes = try archive.read(path)
        let report: BAI2File
        do {
            report = try BAI2Parser().parse(bytes)
        } catch {
            throw InboundQuarantine(reason: "invalid BAI2 report: \(error)")
        }
        var candidates = try await store.unsettledBatches()
        var matcher: CheckMatcher?
        var pieces = InboundPieces(size: pieceSize)
        let source = SourceReference.inboundFile(id: fileID, line: nil)
        for group in report.groups {
            let asOf = ACHDate(yymmdd: group.asOfDate)?.description ?? group.asOfDate
            for account in group.accounts {
                for detail in account.transactions where detail.typeCode == Self.checkPaidTypeCode {
                    if matcher == nil { matcher = try await CheckMatcher(store: store) }
                    if let event = try await paidCheck(detail, account: account.number, asOf: asOf, fileID: fileID, &matcher, &pieces),
                       let full = pieces.add(event.event, read: event.check) {
                        try await body(full)
                    }
                }
                for detail in account.transactions {
                    let settlesDebits = Self.settlementCreditTypeCodes.contains(detail.typeCode)
                    let settlesCredits = Self.settlementDebitTypeCodes.contains(detail.typeCode)
                    guard settlesDebits || settlesCredits, let amount = detail.amount else { continue }
                    let matches = candidates.indices.filter {
                        candidates[$0].isCredit == settlesCredits && candidates[$0].total == amount && candidates[$0].effectiveDate == asOf
                    }
                    guard matches.count == 1 else {
                        pieces.note("settlement \(detail.typeCode) of \(Dollars.format(amount)) on \(asOf) (bank reference "
                                    + "\(detail.bankReference)) matches \(Words.count(matches.count, "batch", plural: "batches")); not applied")
                        continue
                    }
                    let batch = candidates.remove(at: matches[0])
                    pieces.settle(batch)
                    for paymentID in batch.paymentIDs {
                        if let full = pieces.add(BankEvent(paymentID: paymentID, kind: .settled, source: source)) { try await body(full) }
                    }
                }
            }
        }
        try await body(pieces.finish())
    }

    /// The event a `475` makes, or nil with a note for the operator.
    private func paidCheck(_ detail: BAI2File.Transaction, account number: String, asOf: String, fileID: String,
                           _ matcher: inout CheckMatcher?, _ pieces: inout InboundPieces) async throws -> (event: CheckEvent, check: CheckIssue)? {
        let serial = detail.customerReference.filter(\.isNumber)
        let described = "check \(serial.isEmpty ? "(no serial)" : serial) paid for \(detail.amount.map(Dollars.format) ?? "no amount") "
            + "on account ****\(number.suffix(4))"
        guard let amount = detail.amount, !serial.isEmpty, let account = try matcher?.account(number: number, line: 0) else {
            pieces.note("\(described): not an enrolled account or no serial; not applied")
            return nil
        }
        guard let check = try await matcher?.check(serial: serial, on: account) else {
            pieces.note("\(described): no such check issued; not applied")
            return nil
        }
        guard check.amount == amount else {
            pieces.note("\(described): issued for \(Dollars.format(check.amount)); an amount mismatch, not applied")
            return nil
        }
        return (CheckEvent(checkID: check.id, kind: .paid(on: asOf), source: .inboundFile(id: fileID, line: nil)), check)
    }
}
