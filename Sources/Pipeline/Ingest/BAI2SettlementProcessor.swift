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
    public func plan(_ bytes: [UInt8], fileID: String, store: any OutboundFileStore & InboundFileStore) async throws -> InboundPlan {
        let report: BAI2File
        do {
            report = try BAI2Parser().parse(bytes)
        } catch {
            throw InboundQuarantine(reason: "invalid BAI2 report: \(error)")
        }
        var candidates = try await store.unsettledBatches()
        var plan = InboundPlan()
        var line = 0
        for group in report.groups {
            let asOf = ACHDate(yymmdd: group.asOfDate)?.description ?? group.asOfDate
            for account in group.accounts {
                for detail in account.transactions {
                    line += 1
                    let settlesDebits = Self.settlementCreditTypeCodes.contains(detail.typeCode)
                    let settlesCredits = Self.settlementDebitTypeCodes.contains(detail.typeCode)
                    guard settlesDebits || settlesCredits, let amount = detail.amount else { continue }
                    let matches = candidates.indices.filter {
                        candidates[$0].isCredit == settlesCredits && candidates[$0].total == amount && candidates[$0].effectiveDate == asOf
                    }
                    guard matches.count == 1 else {
                        plan.notes.append("settlement \(detail.typeCode) of \(Dollars.format(amount)) on \(asOf) (bank reference "
                                          + "\(detail.bankReference)) matches \(matches.count) batches; not applied")
                        continue
                    }
                    let batch = candidates.remove(at: matches[0])
                    plan.settledBatches.append(batch)
                    let source = SourceReference.inboundFile(id: fileID, line: nil)
                    plan.events += batch.paymentIDs.map { BankEvent(paymentID: $0, kind: .settled, source: source) }
                }
            }
        }
        return plan
    }
}
