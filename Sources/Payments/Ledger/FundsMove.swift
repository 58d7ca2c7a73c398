/// One change to a merchant's funding balance, with the ledger row that explains it.
public struct FundsMove: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        /// Money the merchant paid in.
        case fund
        /// Held for a credit when it is validated.
        case reserve
        /// A failed credit's reservation given back.
        case release
        /// A credit returned after settlement: the settled amount given back.
        case `return`
    }

    public var merchantID: String
    public var paymentID: String?
    public var kind: Kind
    /// Signed cents: positive adds to the balance, negative takes from it.
    public var amount: Int64
    public var actor: Actor
    public var reference: String

    public init(merchantID: String, paymentID: String?, kind: Kind, amount: Int64, actor: Actor, reference: String) {
        self.merchantID = merchantID
        self.paymentID = paymentID
        self.kind = kind
        self.amount = amount
        self.actor = actor
        self.reference = reference
    }
}
