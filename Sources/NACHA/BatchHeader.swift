/// The `5` record: one originator's company, SEC code and effective date for the entries that follow.
public struct BatchHeader: Sendable, Hashable {
    /// nil lets the writer choose the narrowest class (220 credits only, 225 debits only, 200 mixed).
    public var serviceClass: ServiceClassCode?
    public var companyName: String
    public var companyDiscretionaryData: String = ""
    public var companyIdentification: String
    public var standardEntryClass: StandardEntryClass
    public var companyEntryDescription: String
    public var companyDescriptiveDate: String = ""
    public var effectiveEntryDate: ACHDate
    /// Julian day inserted by the ACH operator; blank on files we originate.
    public var settlementDate: String = ""
    public var originatorStatusCode: String = "1"
    /// First eight digits of the ODFI routing number.
    public var originatingDFI: Int
    public var batchNumber: Int

    public init(serviceClass: ServiceClassCode? = nil, companyName: String, companyDiscretionaryData: String = "",
                companyIdentification: String, standardEntryClass: StandardEntryClass, companyEntryDescription: String,
                companyDescriptiveDate: String = "", effectiveEntryDate: ACHDate, settlementDate: String = "",
                originatorStatusCode: String = "1", originatingDFI: Int, batchNumber: Int) {
        self.serviceClass = serviceClass
        self.companyName = companyName
        self.companyDiscretionaryData = companyDiscretionaryData
        self.companyIdentification = companyIdentification
        self.standardEntryClass = standardEntryClass
        self.companyEntryDescription = companyEntryDescription
        self.companyDescriptiveDate = companyDescriptiveDate
        self.effectiveEntryDate = effectiveEntryDate
        self.settlementDate = settlementDate
        self.originatorStatusCode = originatorStatusCode
        self.originatingDFI = originatingDFI
        self.batchNumber = batchNumber
    }

    public enum Fields {
        public static let recordType = Field.numeric("record_type", 1, 1, .constant)
        public static let serviceClass = Field.numeric("service_class_code", 2, 3, .serviceClass)
        public static let companyName = Field.alpha("company_name", 5, 16)
        public static let companyDiscretionaryData = Field.alpha("company_discretionary_data", 21, 20)
        public static let companyIdentification = Field.alpha("company_identification", 41, 10)
        public static let standardEntryClass = Field.alpha("standard_entry_class", 51, 3, .standardEntryClass)
        public static let companyEntryDescription = Field.alpha("company_entry_description", 54, 10)
        public static let companyDescriptiveDate = Field.alpha("company_descriptive_date", 64, 6)
        public static let effectiveEntryDate = Field.numeric("effective_entry_date", 70, 6, .date)
        public static let settlementDate = Field.alpha("settlement_date", 76, 3, .julianDay)
        public static let originatorStatusCode = Field.alpha("originator_status_code", 79, 1)
        public static let originatingDFI = Field.numeric("originating_dfi_identification", 80, 8)
        public static let batchNumber = Field.numeric("batch_number", 88, 7)
        public static let all = [recordType, serviceClass, companyName, companyDiscretionaryData, companyIdentification,
                                 standardEntryClass, companyEntryDescription, companyDescriptiveDate, effectiveEntryDate,
                                 settlementDate, originatorStatusCode, originatingDFI, batchNumber]
    }
}
