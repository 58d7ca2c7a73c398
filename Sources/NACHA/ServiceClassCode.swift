/// Batch service class codes: what directions a batch may contain.
public enum ServiceClassCode: Int, Sendable, Hashable, Codable, CaseIterable {
    case mixed = 200
    case creditsOnly = 220
    case debitsOnly = 225
    case automatedAccountingAdvices = 280

    public var meaning: String {
        switch self {
        case .mixed: "mixed debits and credits"
        case .creditsOnly: "credits only"
        case .debitsOnly: "debits only"
        case .automatedAccountingAdvices: "automated accounting advices"
        }
    }

    /// The narrowest class for a batch's entries: 220 for credits only, 225 for debits only, else 200.
    public static func narrowest(hasCredits: Bool, hasDebits: Bool) -> Self {
        switch (hasCredits, hasDebits) {
        case (true, false): .creditsOnly
        case (false, true): .debitsOnly
        default: .mixed
        }
    }

    public func allows(_ code: TransactionCode) -> Bool {
        switch self {
        case .mixed: !code.isAccountingAdvice
        case .creditsOnly: code.isCredit && !code.isAccountingAdvice
        case .debitsOnly: code.isDebit && !code.isAccountingAdvice
        case .automatedAccountingAdvices: code.isAccountingAdvice
        }
    }
}
