/// The `7` records: remittance text (05), notifications of change (98) and returns (99),
/// including refused NOCs, dishonored returns and contested dishonored returns.
public enum Addenda: Sendable, Hashable {
    case paymentRelated(PaymentRelated)
    case notificationOfChange(NotificationOfChange)
    case refusedNotificationOfChange(RefusedNotificationOfChange)
    case returnEntry(Return)
    case dishonoredReturn(DishonoredReturn)
    case contestedDishonoredReturn(ContestedDishonoredReturn)

    /// Addenda 05: free-form payment related information.
    public struct PaymentRelated: Sendable, Hashable {
        public var information: String
        public init(information: String) { self.information = information }
    }

    /// Addenda 98 in a COR batch.
    public struct NotificationOfChange: Sendable, Hashable {
        public var changeCode: String
        public var originalTraceNumber: Int
        public var originalReceivingDFI: Int
        public var correctedData: String
        public init(changeCode: String, originalTraceNumber: Int, originalReceivingDFI: Int, correctedData: String) {
            self.changeCode = changeCode
            self.originalTraceNumber = originalTraceNumber
            self.originalReceivingDFI = originalReceivingDFI
            self.correctedData = correctedData
        }
    }

    /// Addenda 98 with a refusal code C61–C69 (ODFI → RDFI).
    public struct RefusedNotificationOfChange: Sendable, Hashable {
        public var refusedChangeCode: String
        public var originalTraceNumber: Int
        public var originalReceivingDFI: Int
        public var correctedData: String
        public var changeCode: String
        public var traceSequenceNumber: Int
    }

    /// Addenda 99: a return.
    public struct Return: Sendable, Hashable {
        public var returnReasonCode: String
        public var originalTraceNumber: Int
        public var dateOfDeath: ACHDate?
        public var originalReceivingDFI: Int
        public var information: String
        public init(returnReasonCode: String, originalTraceNumber: Int, dateOfDeath: ACHDate? = nil,
                    originalReceivingDFI: Int, information: String = "") {
            self.returnReasonCode = returnReasonCode
            self.originalTraceNumber = originalTraceNumber
            self.dateOfDeath = dateOfDeath
            self.originalReceivingDFI = originalReceivingDFI
            self.information = information
        }
    }

    /// Addenda 99 with R61–R70: the ODFI refuses a return.
    public struct DishonoredReturn: Sendable, Hashable {
        public var dishonoredReturnReasonCode: String
        public var originalTraceNumber: Int
        public var originalReceivingDFI: Int
        public var returnTraceNumber: Int
        public var returnSettlementDate: String
        public var returnReasonCode: String
        public var information: String
    }

    /// Addenda 99 with R71–R77: the RDFI contests a dishonored return.
    public struct ContestedDishonoredReturn: Sendable, Hashable {
        public var contestedReturnCode: String
        public var originalTraceNumber: Int
        public var dateOriginalEntryReturned: ACHDate?
        public var originalReceivingDFI: Int
        public var originalSettlementDate: String
        public var returnTraceNumber: Int
        public var returnSettlementDate: String
        public var returnReasonCode: String
        public var dishonoredReturnTraceNumber: Int
        public var dishonoredReturnSettlementDate: String
        public var dishonoredReturnReasonCode: String
    }

    /// `05`, `98` or `99`.
    public var typeCode: Int {
        switch self {
        case .paymentRelated: 5
        case .notificationOfChange, .refusedNotificationOfChange: 98
        case .returnEntry, .dishonoredReturn, .contestedDishonoredReturn: 99
        }
    }

    /// The trace number of the entry this addenda answers (98/99), if any.
    public var originalTraceNumber: Int? {
        switch self {
        case .paymentRelated: nil
        case .notificationOfChange(let value): value.originalTraceNumber
        case .refusedNotificationOfChange(let value): value.originalTraceNumber
        case .returnEntry(let value): value.originalTraceNumber
        case .dishonoredReturn(let value): value.originalTraceNumber
        case .contestedDishonoredReturn(let value): value.originalTraceNumber
        }
    }

    public enum Fields {
        public static let recordType = Field.numeric("record_type", 1, 1, .constant)
        public static let typeCode = Field.numeric("addenda_type_code", 2, 2, .addendaType)

        public static let information05 = Field.alpha("payment_related_information", 4, 80)
        public static let sequence05 = Field.numeric("addenda_sequence_number", 84, 4)
        public static let entrySequence05 = Field.numeric("entry_detail_sequence_number", 88, 7)
        public static let paymentRelated = [recordType, typeCode, information05, sequence05, entrySequence05]

        public static let changeCode = Field.alpha("change_code", 4, 3, .changeCode)
        public static let originalTrace = Field.numeric("original_entry_trace_number", 7, 15)
        public static let reserved98 = Field.alpha("reserved", 22, 6)
        public static let originalRDFI = Field.numeric("original_receiving_dfi_identification", 28, 8)
        public static let correctedData = Field.alpha("corrected_data", 36, 29)
        public static let reserved98b = Field.alpha("reserved", 65, 15)
        public static let trace = Field.numeric("trace_number", 80, 15)
        public static let notificationOfChange = [recordType, typeCode, changeCode, originalTrace, reserved98, originalRDFI,
                                                  correctedData, reserved98b, trace]

        public static let refusedChangeCode = Field.alpha("refused_change_code", 4, 3, .changeCode)
        public static let refusedOriginalChangeCode = Field.alpha("change_code", 65, 3, .changeCode)
        public static let refusedTraceSequence = Field.numeric("trace_sequence_number", 68, 7)
        public static let refusedReserved = Field.alpha("reserved", 75, 5)
        public static let refusedNotificationOfChange = [recordType, typeCode, refusedChangeCode, originalTrace, reserved98,
                                                         originalRDFI, correctedData, refusedOriginalChangeCode,
                                                         refusedTraceSequence, refusedReserved, trace]

        public static let returnReasonCode = Field.alpha("return_reason_code", 4, 3, .returnReasonCode)
        public static let dateOfDeath = Field.alpha("date_of_death", 22, 6, .date)
        public static let information99 = Field.alpha("addenda_information", 36, 44)
        public static let returnEntry = [recordType, typeCode, returnReasonCode, originalTrace, dateOfDeath, originalRDFI,
                                         information99, trace]

        public static let dishonoredReserved = Field.alpha("reserved", 36, 3)
        public static let returnTrace = Field.numeric("return_trace_number", 39, 15)
        public static let returnSettlementDate = Field.alpha("return_settlement_date", 54, 3, .julianDay)
        public static let dishonoredReturnReason = Field.alpha("return_reason_code", 57, 2)
        public static let dishonoredInformation = Field.alpha("addenda_information", 59, 21)
        public static let dishonoredReturn = [recordType, typeCode, returnReasonCode, originalTrace, reserved98, originalRDFI,
                                              dishonoredReserved, returnTrace, returnSettlementDate, dishonoredReturnReason,
                                              dishonoredInformation, trace]

        public static let dateOriginalEntryReturned = Field.alpha("date_original_entry_returned", 22, 6, .date)
        public static let originalSettlementDate = Field.alpha("original_settlement_date", 36, 3, .julianDay)
        public static let dishonoredReturnTrace = Field.numeric("dishonored_return_trace_number", 59, 15)
        public static let dishonoredReturnSettlementDate = Field.alpha("dishonored_return_settlement_date", 74, 3, .julianDay)
        public static let dishonoredReturnReasonCode = Field.alpha("dishonored_return_reason_code", 77, 2)
        public static let contestedReserved = Field.alpha("reserved", 79, 1)
        public static let contestedDishonoredReturn = [recordType, typeCode, returnReasonCode, originalTrace,
                                                       dateOriginalEntryReturned, originalRDFI, originalSettlementDate,
                                                       returnTrace, returnSettlementDate, dishonoredReturnReason,
                                                       dishonoredReturnTrace, dishonoredReturnSettlementDate,
                                                       dishonoredReturnReasonCode, contestedReserved, trace]
    }
}
