/// The `8` batch control and `9` file control records, and the running totals both are computed from.
public struct ControlTotals: Sendable, Hashable {
    /// Entry and addenda records (`6` + `7`).
    public var entryAddendaCount = 0
    /// Sum of receiving DFI identifications, kept to 10 digits.
    public var entryHash = 0
    public var totalDebit: Int64 = 0
    public var totalCredit: Int64 = 0

    public init() {}

    mutating func add(_ detail: EntryDetail, addendaCount: Int) {
        entryAddendaCount += 1 + addendaCount
        entryHash = (entryHash + detail.receivingDFI) % 10_000_000_000
        if detail.transactionCode.isCredit { totalCredit += detail.amount } else { totalDebit += detail.amount }
    }

    mutating func add(_ other: ControlTotals) {
        entryAddendaCount += other.entryAddendaCount
        entryHash = (entryHash + other.entryHash) % 10_000_000_000
        totalDebit += other.totalDebit
        totalCredit += other.totalCredit
    }
}

public enum BatchControl {
    public enum Fields {
        public static let recordType = Field.numeric("record_type", 1, 1, .constant)
        public static let serviceClass = Field.numeric("service_class_code", 2, 3, .serviceClass)
        public static let entryAddendaCount = Field.numeric("entry_addenda_count", 5, 6)
        public static let entryHash = Field.numeric("entry_hash", 11, 10)
        public static let totalDebit = Field.numeric("total_debit_entry_dollar_amount", 21, 12, .amount)
        public static let totalCredit = Field.numeric("total_credit_entry_dollar_amount", 33, 12, .amount)
        public static let companyIdentification = Field.alpha("company_identification", 45, 10)
        public static let messageAuthenticationCode = Field.alpha("message_authentication_code", 55, 19)
        public static let reserved = Field.alpha("reserved", 74, 6)
        public static let originatingDFI = Field.numeric("originating_dfi_identification", 80, 8)
        public static let batchNumber = Field.numeric("batch_number", 88, 7)
        public static let all = [recordType, serviceClass, entryAddendaCount, entryHash, totalDebit, totalCredit,
                                 companyIdentification, messageAuthenticationCode, reserved, originatingDFI, batchNumber]
    }
}

public enum FileControl {
    public enum Fields {
        public static let recordType = Field.numeric("record_type", 1, 1, .constant)
        public static let batchCount = Field.numeric("batch_count", 2, 6)
        public static let blockCount = Field.numeric("block_count", 8, 6)
        public static let entryAddendaCount = Field.numeric("entry_addenda_count", 14, 8)
        public static let entryHash = Field.numeric("entry_hash", 22, 10)
        public static let totalDebit = Field.numeric("total_debit_entry_dollar_amount", 32, 12, .amount)
        public static let totalCredit = Field.numeric("total_credit_entry_dollar_amount", 44, 12, .amount)
        public static let reserved = Field.alpha("reserved", 56, 39)
        public static let all = [recordType, batchCount, blockCount, entryAddendaCount, entryHash, totalDebit, totalCredit, reserved]
    }
}
