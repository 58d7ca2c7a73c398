import Foundation

extension Payment {
    /// The SHA-256 an approver of this payment saw and approved: over what moves the money (amount,
    /// direction, account, class, dates, description, merchant), so an approval is of those exact terms.
    public var approvalDigest: String {
        let terms = [id, merchantID, String(amount), currency, direction.rawValue, secCode.rawValue, description, effectiveDate.description,
                     settlement.rawValue, counterparty.name, counterparty.routingNumber, counterparty.accountNumber,
                     counterparty.accountType.rawValue]
        return SHA256Digest.hex(Array(terms.joined(separator: "\u{1F}").utf8))
    }
}
