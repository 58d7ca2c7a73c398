import BankFiles
import Foundation
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
    public func read(_ path: String, from archive: Archive, fileID: String, now: Date, store: any LedgerStore,
                     pieceSize: Int, _ body: (PieceEvents) async throws -> Void) async throws {
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
            let asOfDate = ACHDate(yymmdd: group.asOfDate)
            let asOf = asOfDate?.description ?? group.asOfDate
            for account in group.accounts {
                for detail in account.transactions where detail.typeCode == Self.checkPaidTypeCode {
                    if matcher == nil { matcher = try await CheckMatcher(store: store) }
                    if let event = try await paidCheck(detail, account: account.number, asOf: asOfDate, fileID: fileID, &matcher, &pieces),
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

    /// The serial a `475`'s customer reference names: its digits alone, or digits after a short
    /// alphabetic prefix such as `CK` or `CHK#` (spaces allowed between); nil for anything else
    /// (`CK1001-2`, `1001/2`, full-width digits), which is ambiguous and never guessed at.
    static func serial(inReference reference: String) -> String? {
        var rest = Substring(reference).drop { $0 == " " }
        let prefix = rest.prefix { $0.isASCII && $0.isLetter }
        guard prefix.count <= 5 else { return nil }
        rest = rest.dropFirst(prefix.count).drop { $0 == " " || $0 == "#" }
        let digits = rest.prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty, digits.count <= 18, rest.dropFirst(digits.count).allSatisfy({ $0 == " " }) else { return nil }
        return CheckIssue.matchingSerial(digits)
    }

    /// The event a `475` makes, or nil with a note for the operator.
    private func paidCheck(_ detail: BAI2File.Transaction, account number: String, asOf: ACHDate?, fileID: String,
                           _ matcher: inout CheckMatcher?, _ pieces: inout InboundPieces) async throws -> (event: CheckEvent, check: CheckIssue)? {
        let serial = Self.serial(inReference: detail.customerReference)
        let described = "check \(serial ?? "(reference \(detail.customerReference.prefix(30)))") paid for "
            + "\(detail.amount.map(Dollars.format) ?? "no amount") on account ****\(number.suffix(4))"
        guard let serial else {
            pieces.note("\(described): the customer reference names no serial plainly; not applied")
            return nil
        }
        guard let amount = detail.amount, amount > 0, let account = try matcher?.account(number: number, line: 0) else {
            pieces.note("\(described): not an enrolled account or no amount; not applied")
            return nil
        }
        guard let asOf else {
            pieces.note("\(described): the group's as-of date is not a calendar date; not applied")
            return nil
        }
        let source = SourceReference.inboundFile(id: fileID, line: nil)
        switch try await matcher?.check(serial: serial, amount: amount, issueDate: nil, on: account) ?? .none {
        case .none:
            pieces.note("\(described): no such check issued; not applied")
            return nil
        case .check(let check):
            return (CheckEvent(checkID: check.id, kind: .paid(on: asOf), source: source), check)
        case .serialOnly(let candidates):
            let check = candidates.last(where: \.isLive) ?? candidates[candidates.count - 1]
            return (CheckEvent(checkID: check.id, kind: .mismatched("\(described): issued for \(Dollars.format(check.amount)); "
                                                                    + "an amount mismatch, not applied"), source: source), check)
        }
    }
}
