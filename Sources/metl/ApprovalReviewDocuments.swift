import Foundation
import NACHA
import Payments

/// `metl approvals show` for a file: the review an approver decides on.
struct FileReviewDocument: Encodable {
    var id: String, name: String, kind: String, status: String, sha256: String, archivedBytes: String, items: Int
    var totalDebit: Int64, totalCredit: Int64
    var approval: ApprovalCount?
    @Nullable var deadline: String?
    /// The deadline as the approver reads it: this machine's local time.
    let localDeadline: String?
    var makers: [String]
    var byMerchant: [Share], byCompany: [Share]
    var largest: [Item]
    @Nullable var sincePrevious: Change?
    var decisions: [ApprovalsCommand.Decision]

    struct Share: Encodable {
        var key: String, name: String, items: Int, debit: Int64, credit: Int64
    }

    struct Item: Encodable {
        var id: String, merchantID: String, amount: Int64, direction: String, counterparty: String, account: String
        enum CodingKeys: String, CodingKey { case id, merchantID = "merchant_id", amount, direction, counterparty, account }
    }

    struct Change: Encodable {
        var previousID: String, previousName: String, items: Int, debit: Int64, credit: Int64, newMerchants: [String], goneMerchants: [String]
        enum CodingKeys: String, CodingKey {
            case previousID = "previous_id", previousName = "previous_name", items, debit, credit, newMerchants = "new_merchants",
                 goneMerchants = "gone_merchants"
        }
    }

    enum CodingKeys: String, CodingKey {
        case id, name, kind, status, sha256, archivedBytes = "archived_bytes", items, totalDebit = "total_debit", totalCredit = "total_credit",
             approval, deadline, makers, byMerchant = "by_merchant", byCompany = "by_company", largest, sincePrevious = "since_previous", decisions
    }

    init(_ review: FileReview, archived: String) {
        let file = review.file
        (id, name, kind, status, sha256, archivedBytes) = (file.id, file.name, file.kind.rawValue, file.status.rawValue, file.sha256, archived)
        (items, totalDebit, totalCredit, approval) = (file.entryCount, file.totalDebit, file.totalCredit, file.approval)
        deadline = file.approvalDeadline.map(Timestamp.format)
        localDeadline = file.approvalDeadline.map(Output.localTime)
        makers = review.makers
        func share(_ share: FileReview.Share) -> Share {
            Share(key: share.key, name: share.name, items: share.items, debit: share.debit, credit: share.credit)
        }
        byMerchant = review.byMerchant.map(share)
        byCompany = review.byCompany.map(share)
        largest = review.largest.map {
            Item(id: $0.id, merchantID: $0.merchantID, amount: $0.amount, direction: $0.direction.rawValue, counterparty: $0.counterparty,
                 account: $0.maskedAccount)
        }
        sincePrevious = review.sincePrevious.map {
            Change(previousID: $0.previousID, previousName: $0.previousName, items: $0.items, debit: $0.debit, credit: $0.credit,
                   newMerchants: $0.newMerchants, goneMerchants: $0.goneMerchants)
        }
        decisions = review.decisions.map(ApprovalsCommand.Decision.init)
    }

    func print() {
        Output.line("\(name)  \(kind) \(status)  (\(id))")
        Output.line("  \(Words.count(items, "item")), debit \(Dollars.format(totalDebit)), credit \(Dollars.format(totalCredit))")
        Output.line("  sha256 \(sha256): archived bytes \(archivedBytes)")
        if let approval {
            Output.line("  approvals \(approval.given) of \(approval.required)" + (localDeadline.map { ", window closes \($0) \(TimeZone.current.identifier)" } ?? ""))
        }
        Output.line("  made by \(makers.isEmpty ? "-" : makers.joined(separator: ", ")) (who may not approve it)")
        func delta(_ cents: Int64) -> String { (cents < 0 ? "-" : "+") + Dollars.format(cents.magnitude > UInt64(Int64.max) ? .max : abs(cents)) }
        if let change = sincePrevious {
            Output.line("  since \(change.previousName) (\(change.previousID)), the last approved file of its kind: "
                        + "\(change.items >= 0 ? "+" : "")\(change.items) items, debit \(delta(change.debit)), credit \(delta(change.credit))"
                        + (change.newMerchants.isEmpty ? "" : "; new merchants \(change.newMerchants.joined(separator: ", "))")
                        + (change.goneMerchants.isEmpty ? "" : "; merchants gone \(change.goneMerchants.joined(separator: ", "))"))
        } else {
            Output.line("  no earlier approved file of its kind to compare with")
        }
        for (title, shares) in [("PER MERCHANT", byMerchant), ("PER COMPANY", byCompany)] where !shares.isEmpty {
            Output.line()
            Output.table([title, "NAME", "ITEMS", "DEBIT", "CREDIT"], shares.map {
                [$0.key, $0.name, String($0.items), Dollars.format($0.debit), Dollars.format($0.credit)]
            })
        }
        if !largest.isEmpty {
            Output.line()
            Output.table(["LARGEST", "MERCHANT", "AMOUNT", "KIND", "COUNTERPARTY", "ACCOUNT"], largest.map {
                [$0.id, $0.merchantID, Dollars.format($0.amount), $0.direction, $0.counterparty, $0.account]
            })
        }
        printDecisions(decisions)
    }
}

/// `metl approvals show` for a payment: its request, who made it, what an approval binds.
struct PaymentReviewDocument: Encodable {
    var payment: PaymentDocument
    var maker: String
    var sha256: String
    var decisions: [ApprovalsCommand.Decision]

    init(_ payment: Payment, maker: String, decisions: [Approval]) {
        self.payment = PaymentDocument(payment)
        self.maker = maker
        sha256 = payment.approvalDigest
        self.decisions = decisions.map(ApprovalsCommand.Decision.init)
    }

    func print() {
        Output.line("\(payment.id)  \(payment.state)  merchant \(payment.merchantID)")
        Output.line("  \(payment.direction) \(Dollars.format(payment.amount)) \(payment.secCode) to \(payment.counterparty.name), "
                    + "routing \(payment.counterparty.routingNumber), account \(payment.counterparty.accountNumber), effective \(payment.effectiveDate)")
        Output.line("  \"\(payment.description)\", \(payment.settlement)")
        if let approval = payment.approval { Output.line("  approvals \(approval.given) of \(approval.required)") }
        Output.line("  made by \(maker) (who may not approve it); sha256 \(sha256)")
        printDecisions(decisions)
    }
}

private func printDecisions(_ decisions: [ApprovalsCommand.Decision]) {
    guard !decisions.isEmpty else { return }
    Output.line()
    Output.table(["#", "DECISION", "APPROVER", "AT", "REASON"], decisions.map {
        [String($0.ordinal), $0.decision, $0.approver, $0.at, $0.reason ?? ""]
    })
}
