import Foundation

/// What an approver is shown before deciding on a held file: its totals and hash, who made it, sums
/// per merchant and per company, the largest items, and what changed since the last file of its
/// kind that approvers released. The same review serves every place an approver decides.
public struct FileReview: Sendable {
    /// One merchant's or company's share of the file.
    public struct Share: Sendable, Hashable {
        public var key: String
        public var name: String
        public var items: Int
        public var debit: Int64
        public var credit: Int64
    }

    /// One of the largest items: a payment or a check, its account masked.
    public struct Item: Sendable, Hashable {
        public var id: String
        public var merchantID: String
        public var amount: Int64
        public var direction: Direction

        /// What an item does: an ACH credit or debit, or a check issued or voided.
        public enum Direction: String, Sendable, Hashable {
            case credit, debit, issue, void
        }
        public var counterparty: String
        public var maskedAccount: String
    }

    /// The last file of the same kind released by approvers, and how this one differs.
    public struct Change: Sendable, Hashable {
        public var previousID: String
        public var previousName: String
        public var items: Int
        public var debit: Int64
        public var credit: Int64
        public var newMerchants: [String]
        public var goneMerchants: [String]
    }

    public var file: OutboundFile
    public var makers: [String]
    public var byMerchant: [Share]
    public var byCompany: [Share]
    public var largest: [Item]
    public var sincePrevious: Change?
    public var decisions: [Approval]

    /// How many of the largest items a review lists.
    public static let largestShown = 5
}

extension OutboundFileStore where Self: PaymentStore & CheckStore & ApprovalStore {
    /// The review of outbound file `id` (or its name), read whole: a held file is a day's file.
    public func review(fileID id: String) async throws -> FileReview {
        let file = try await outboundFile(id: id)
        let merchants = Dictionary(uniqueKeysWithValues: try await self.merchants().map { ($0.id, $0) })
        var items: [FileReview.Item] = []
        for (payment, _) in try await filePayments(fileID: file.id) {
            items.append(.init(id: payment.id, merchantID: payment.merchantID, amount: payment.amount,
                               direction: payment.direction == .debit ? .debit : .credit,
                               counterparty: payment.counterparty.name, maskedAccount: payment.counterparty.maskedAccountNumber))
        }
        for check in try await fileChecks(fileID: file.id) {
            items.append(.init(id: check.id, merchantID: check.merchantID, amount: check.amount,
                               direction: check.voidRecord?.fileID == file.id ? .void : .issue, counterparty: check.payee,
                               maskedAccount: "serial \(check.serial)"))
        }
        let previous = try await outboundFiles(statuses: [.uploaded, .uploading, .rendered, .failed])
            .filter { $0.kind == file.kind && $0.id != file.id && $0.approval?.isComplete == true && $0.createdAt < file.createdAt }
            .max { $0.createdAt < $1.createdAt }
        var previousMerchants: Set<String>?
        if let previous {
            previousMerchants = Set(try await filePayments(fileID: previous.id).map(\.payment.merchantID)
                                    + (try await fileChecks(fileID: previous.id)).map(\.merchantID))
        }
        return FileReview.make(file, items: items, merchants: merchants, makers: try await fileMakers(fileID: file.id),
                               decisions: try await approvals(subjectIDs: [file.id]), previous: previous.map { ($0, previousMerchants ?? []) })
    }
}

extension FileReview {
    /// The review from what was read: sums in checked arithmetic (a sum past `Int64` stops at its
    /// maximum rather than wrapping; no real file comes near).
    static func make(_ file: OutboundFile, items: [Item], merchants: [String: Merchant], makers: Set<String>, decisions: [Approval],
                     previous: (file: OutboundFile, merchants: Set<String>)?) -> FileReview {
        func plus(_ left: Int64, _ right: Int64) -> Int64 {
            let (sum, overflow) = left.addingReportingOverflow(right)
            return overflow ? .max : sum
        }
        func shares(_ key: (Item) -> String, _ name: (Item) -> String) -> [Share] {
            var byKey: [String: Share] = [:]
            for item in items {
                var share = byKey[key(item)] ?? Share(key: key(item), name: name(item), items: 0, debit: 0, credit: 0)
                share.items += 1
                if item.direction == .debit { share.debit = plus(share.debit, item.amount) } else { share.credit = plus(share.credit, item.amount) }
                byKey[key(item)] = share
            }
            return byKey.values.sorted { (plus($0.debit, $0.credit), $1.key) > (plus($1.debit, $1.credit), $0.key) }
        }
        let present = Set(items.map(\.merchantID))
        return FileReview(
            file: file, makers: makers.sorted(),
            byMerchant: shares({ $0.merchantID }, { merchants[$0.merchantID]?.name ?? "" }),
            byCompany: shares({ merchants[$0.merchantID]?.companyID ?? "" }, { merchants[$0.merchantID]?.companyName ?? "" }),
            largest: Array(items.sorted { ($0.amount, $1.id) > ($1.amount, $0.id) }.prefix(largestShown)),
            sincePrevious: previous.map { previous in
                Change(previousID: previous.file.id, previousName: previous.file.name, items: file.entryCount - previous.file.entryCount,
                       debit: file.totalDebit &- previous.file.totalDebit, credit: file.totalCredit &- previous.file.totalCredit,
                       newMerchants: present.subtracting(previous.merchants).sorted(),
                       goneMerchants: previous.merchants.subtracting(present).sorted())
            },
            decisions: decisions)
    }
}
