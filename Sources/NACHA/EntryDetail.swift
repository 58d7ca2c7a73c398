/// The `6` record: one debit or credit to one receiver's account.
public struct EntryDetail: Sendable, Hashable {
    public var transactionCode: TransactionCode
    /// First eight digits of the receiver's routing number.
    public var receivingDFI: Int
    public var checkDigit: Int
    public var accountNumber: String
    /// Integer cents.
    public var amount: Int64
    public var identificationNumber: String = ""
    /// The individual or receiving company name. In CTX entries this is the 16-character receiving
    /// company; the writer puts the addenda count in front of it.
    public var individualName: String
    /// Discretionary data; the payment type code (`R`/`S`) for WEB and TEL.
    public var discretionaryData: String = ""
    public var traceNumber: Int

    public init(transactionCode: TransactionCode, receivingDFI: Int, checkDigit: Int, accountNumber: String, amount: Int64,
                identificationNumber: String = "", individualName: String, discretionaryData: String = "", traceNumber: Int) {
        self.transactionCode = transactionCode
        self.receivingDFI = receivingDFI
        self.checkDigit = checkDigit
        self.accountNumber = accountNumber
        self.amount = amount
        self.identificationNumber = identificationNumber
        self.individualName = individualName
        self.discretionaryData = discretionaryData
        self.traceNumber = traceNumber
    }

    /// Builds the DFI fields from a 9-digit routing number.
    public init(transactionCode: TransactionCode, routingNumber: String, accountNumber: String, amount: Int64,
                identificationNumber: String = "", individualName: String, discretionaryData: String = "", traceNumber: Int) {
        let number = Int(routingNumber) ?? 0
        self.init(transactionCode: transactionCode, receivingDFI: number / 10, checkDigit: number % 10,
                  accountNumber: accountNumber, amount: amount, identificationNumber: identificationNumber,
                  individualName: individualName, discretionaryData: discretionaryData, traceNumber: traceNumber)
    }

    /// The trace number's last seven digits, which addenda 05 repeat.
    public var traceSequence: Int { traceNumber % 10_000_000 }

    public enum Fields {
        public static let recordType = Field.numeric("record_type", 1, 1, .constant)
        public static let transactionCode = Field.numeric("transaction_code", 2, 2, .transactionCode)
        public static let receivingDFI = Field.numeric("receiving_dfi_identification", 4, 8)
        public static let checkDigit = Field.numeric("check_digit", 12, 1)
        public static let accountNumber = Field.alpha("dfi_account_number", 13, 17)
        public static let amount = Field.numeric("amount", 30, 10, .amount)
        public static let identificationNumber = Field.alpha("identification_number", 40, 15)
        public static let individualName = Field.alpha("individual_name", 55, 22)
        public static let discretionaryData = Field.alpha("discretionary_data", 77, 2)
        public static let addendaIndicator = Field.numeric("addenda_record_indicator", 79, 1)
        public static let traceNumber = Field.numeric("trace_number", 80, 15)
        /// CTX only: the number of addenda records, then the receiving company.
        public static let ctxAddendaCount = Field.numeric("number_of_addenda_records", 55, 4)
        public static let ctxReceivingCompany = Field.alpha("receiving_company_name", 59, 16)
        public static let ctxReserved = Field.alpha("reserved", 75, 2)
        public static let all = [recordType, transactionCode, receivingDFI, checkDigit, accountNumber, amount,
                                 identificationNumber, individualName, discretionaryData, addendaIndicator, traceNumber]
        public static let ctx = [recordType, transactionCode, receivingDFI, checkDigit, accountNumber, amount,
                                 identificationNumber, ctxAddendaCount, ctxReceivingCompany, ctxReserved, discretionaryData,
                                 addendaIndicator, traceNumber]
    }
}

/// An entry detail record and the addenda records that follow it.
public struct Entry: Sendable, Hashable {
    public var detail: EntryDetail
    public var addenda: [Addenda]
    /// The line of the entry detail record in the file it was read from; nil for an entry built in
    /// memory. Where the entry is, not what it is: equality and hashing leave it out.
    public var line: Int?

    public init(_ detail: EntryDetail, addenda: [Addenda] = [], line: Int? = nil) {
        self.detail = detail
        self.addenda = addenda
        self.line = line
    }

    public static func == (lhs: Entry, rhs: Entry) -> Bool { lhs.detail == rhs.detail && lhs.addenda == rhs.addenda }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(detail)
        hasher.combine(addenda)
    }
}
