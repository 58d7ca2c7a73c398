/// Entry detail transaction codes (NACHA Appendix Three): account kind and direction in one number.
public struct TransactionCode: RawRepresentable, Sendable, Hashable, Codable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }

    public enum Account: String, Sendable { case checking, savings, generalLedger = "general ledger", loan, accountingAdvice = "automated accounting advice" }
    public enum Purpose: String, Sendable {
        case returnOrNOC = "return or NOC"
        case live, prenote
        case zeroDollarRemittance = "zero-dollar with remittance"
    }

    public static let checkingCredit = Self(rawValue: 22)
    public static let checkingCreditPrenote = Self(rawValue: 23)
    public static let checkingDebit = Self(rawValue: 27)
    public static let checkingDebitPrenote = Self(rawValue: 28)
    public static let savingsCredit = Self(rawValue: 32)
    public static let savingsCreditPrenote = Self(rawValue: 33)
    public static let savingsDebit = Self(rawValue: 37)
    public static let savingsDebitPrenote = Self(rawValue: 38)

    /// The code for a live or prenote entry to a checking or savings account.
    public static func forEntry(savings: Bool, credit: Bool, prenote: Bool = false) -> Self {
        Self(rawValue: (savings ? 30 : 20) + (credit ? 2 : 7) + (prenote ? 1 : 0))
    }

    /// The code's account kind, or nil for an unassigned code.
    public var account: Account? {
        guard isAssigned else { return nil }
        switch rawValue / 10 {
        case 2: return .checking
        case 3: return .savings
        case 4: return .generalLedger
        case 5: return .loan
        default: return .accountingAdvice
        }
    }

    /// True for codes NACHA assigns (20/25/30/35… are reserved).
    public var isAssigned: Bool {
        switch rawValue {
        case 21...24, 26...29, 31...34, 36...39, 41...44, 46...49, 51...56, 81...88: true
        default: false
        }
    }

    public var isAccountingAdvice: Bool { (81...88).contains(rawValue) }

    /// Credits end in 1–4, debits in 5–9; ADV codes alternate (odd credit, even debit).
    public var isCredit: Bool {
        if isAccountingAdvice { return rawValue % 2 == 1 }
        if rawValue == 55 { return false }
        return (1...4).contains(rawValue % 10)
    }

    public var isDebit: Bool { !isCredit }

    public var purpose: Purpose {
        if isAccountingAdvice { return .live }
        if rawValue == 55 { return .live }
        switch rawValue % 10 {
        case 1, 6: return .returnOrNOC
        case 3, 8: return .prenote
        case 4, 9: return .zeroDollarRemittance
        default: return .live
        }
    }

    /// Entries that must carry a zero amount.
    public var requiresZeroAmount: Bool { purpose == .prenote || purpose == .zeroDollarRemittance }

    public var meaning: String {
        guard let account else { return "unassigned transaction code" }
        return "\(account.rawValue) \(isCredit ? "credit" : "debit") (\(purpose.rawValue))"
    }
}
