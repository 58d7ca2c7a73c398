import NACHA

/// A correction from a notification of change, applied to the payment's stored counterparty and to
/// later payments to the same account.
public struct CounterpartyCorrection: Sendable, Hashable {
    public var merchantID: String
    public var paymentID: String
    public var changeCode: String
    /// The details as they were sent.
    public var routingNumber: String
    public var accountNumber: String
    /// The corrected details (unchanged parts copied).
    public var correctedRoutingNumber: String
    public var correctedAccountNumber: String
    public var correctedAccountType: AccountType
    public var correctedName: String

    public init(merchantID: String, paymentID: String, changeCode: String, routingNumber: String, accountNumber: String,
                correctedRoutingNumber: String, correctedAccountNumber: String, correctedAccountType: AccountType,
                correctedName: String) {
        self.merchantID = merchantID
        self.paymentID = paymentID
        self.changeCode = changeCode
        self.routingNumber = routingNumber
        self.accountNumber = accountNumber
        self.correctedRoutingNumber = correctedRoutingNumber
        self.correctedAccountNumber = correctedAccountNumber
        self.correctedAccountType = correctedAccountType
        self.correctedName = correctedName
    }

    /// A later payment's counterparty with this correction applied: the routing and account details
    /// always (the correction carries the unchanged parts too), the name only when the change code
    /// corrects it, since a correction of the account keeps the name of the payment it came back on.
    public func applied(to counterparty: Counterparty) -> Counterparty {
        let correctsName = ChangeCode.lookup(changeCode)?.layout.contains { $0.part == .name } ?? false
        return Counterparty(name: correctsName ? correctedName : counterparty.name, routingNumber: correctedRoutingNumber,
                            accountNumber: correctedAccountNumber, accountType: correctedAccountType)
    }
}
