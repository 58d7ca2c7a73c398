import BankFiles
import NACHA
import Payments

/// BAI2 reports: the ACH settlement lines that settle our batches.
public struct BAI2SettlementProcessor: InboundProcessor {
    public let kind = InboundKind.bai2

    /// BAI2 detail type codes treated as ACH settlement of our batches (README documents them):
    /// credits to our account settle our debit batches, debits settle our credit batches.
    public static let settlementCreditTypeCodes: Set<String> = ["165", "166", "169"]
    public static let settlementDebitTypeCodes: Set<String> = ["455", "466", "469"]

    public init() {}

    /// BAI2 settlement: each ACH settlement detail matched to exactly one unsettled batch by direction,
    /// amount and effective date. Unmatched or ambiguous lines are reported, never guessed.
    public func read(_ path: String, from archive: Archive, fileID: String, store: any OutboundFileStore & InboundFileStore,
                     pieceSize: Int, _ body: (InboundPlan) async throws -> Void) async throws {
        let bytes = try archive.read(path)
        let report: BAI2File
        do {
            report = try BAI2Parser().parse(bytes)
        } catch {
            throw InboundQuarantine(reason: "invalid BAI2 report: \(error)")
        }
        var candidates = try await store.unsettledBatches()
        var pieces = InboundPieces(size: pieceSize)
        let source = SourceReference.inboundFile(id: fileID, line: nil)
        for group in report.groups {
            let asOf = ACHDate(yymmdd: group.asOfDate)?.description ?? group.asOfDate
            for account in group.accounts {
                for detail in account.transactions {
                    let settlesDebits = Self.settlementCreditTypeCodes.contains(detail.typeCode)
                    let settlesCredits = Self.settlementDebitTypeCodes.contains(detail.typeCode)
                    guard settlesDebits || settlesCredits, let amount = detail.amount else { continue }
                    let matches = candidates.indices.filter {
                        candidates[$0].isCredit == settlesCredits && candidates[$0].total == amount && candidates[$0].effectiveDate == asOf
                    }
                    guard matches.count == 1 else {
                        pieces.note("settlement \(detail.typeCode) of \(Dollars.format(amount)) on \(asOf) (bank reference "
                                    + "\(detail.bankReference)) matches \(matches.count) batches; not applied")
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
}
