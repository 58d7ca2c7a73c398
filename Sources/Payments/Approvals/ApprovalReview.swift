import Foundation

/// The rules of four-eyes approval, checked the same way for every store, command and page before a
/// decision is written: only an approver decides; an item is decided only while it is held and,
/// for a file, before its window closes; the maker never approves (for a payment whoever created
/// it, for a file anyone who made what it carries); one person counts once; and what the approver
/// saw is what is decided (the SHA-256 they were shown, when they give it).
enum ApprovalReview {
    /// The item as read, with everything the rules look at.
    struct Item {
        var description: String
        var count: ApprovalCount?
        /// Whether the item is still in its held status (P_CREATED, `awaiting_approval`).
        var held: Bool
        var deadline: Date?
        var makers: Set<String>
        var earlier: [Approval]
        var sha256: String
    }

    /// The ordinal of `approver`'s decision on `item`, or the rule it breaks.
    static func check(_ decision: Approval.Decision, on item: Item, by approver: Operator, seen: String?,
                      at now: Date) throws(PaymentError) -> Int {
        let verb = decision == .approved ? "approve" : "reject"
        guard approver.may(.approver) else {
            throw PaymentError(.forbidden, "\(approver.name) may not \(verb) \(item.description): it needs the approver role")
        }
        guard item.held, let count = item.count, !count.isComplete else {
            throw PaymentError(.invalidStatus, "\(item.description) is not awaiting approval")
        }
        if let deadline = item.deadline, now >= deadline {
            throw PaymentError(.invalidStatus, "the approval window of \(item.description) closed at \(Timestamp.format(deadline)); "
                               + "it expires, and the next window's file asks again")
        }
        guard !item.makers.contains(approver.name) else {
            throw PaymentError(.forbidden, "\(approver.name) made \(item.description) (or part of it); the maker never approves")
        }
        guard !item.earlier.contains(where: { $0.operatorName == approver.name && $0.sha256 == item.sha256 }) else {
            throw PaymentError(.invalidStatus, "\(approver.name) already decided on \(item.description); one person counts once")
        }
        if let seen, seen.lowercased() != item.sha256 {
            throw PaymentError(.invalidStatus, "\(item.description) is not what was shown (SHA-256 \(item.sha256), not \(seen)); look again")
        }
        // From the item's own count, read with the status the write is conditioned on: a decision
        // racing this one takes the same ordinal, and the store refuses the second (never the
        // decisions read apart, which may be newer than the item).
        return count.given + 1
    }
}
