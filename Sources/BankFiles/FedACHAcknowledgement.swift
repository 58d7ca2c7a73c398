/// A FedACH acknowledgement of one file we sent: its identity as the Fed read it, the control totals
/// it echoes, its status, and the coded messages for the file and for each reported batch.
public struct FedACHAcknowledgement: Sendable, Hashable {
    public enum FileStatus: Sendable, Hashable {
        case acceptedWithNoErrors, acceptedWithItemLevelErrors, acceptedWithBatchLevelErrors
        case rejectedWithBatchLevelErrors, rejectedWithFileLevelErrors
        case pendedWithFileLevelErrors, pendedWithBatchLevelErrors, pendedForLevel2Security
        case pendedFileAccepted, pendedFileRejected
        /// A status string not in the specification: a person must read it.
        case unrecognised(String)

        /// Classified by the exact string, as the specification advises.
        public init(_ text: String) {
            switch text {
            case "FILE ACCEPTED WITH NO ERRORS": self = .acceptedWithNoErrors
            case "FILE ACCEPTED WITH ITEM LEVEL ERRORS": self = .acceptedWithItemLevelErrors
            case "FILE ACCEPTED WITH BATCH LEVEL ERRORS": self = .acceptedWithBatchLevelErrors
            case "FILE REJECTED WITH BATCH LEVEL ERRORS": self = .rejectedWithBatchLevelErrors
            case "FILE REJECTED WITH FILE LEVEL ERRORS": self = .rejectedWithFileLevelErrors
            case "FILE PENDED WITH FILE LEVEL ERRORS": self = .pendedWithFileLevelErrors
            case "FILE PENDED WITH BATCH LEVEL ERRORS": self = .pendedWithBatchLevelErrors
            case "FILE PENDED FOR LEVEL 2 SECURITY": self = .pendedForLevel2Security
            case "PENDED FILE ACCEPTED": self = .pendedFileAccepted
            case "PENDED FILE REJECTED": self = .pendedFileRejected
            default: self = .unrecognised(text)
            }
        }

        public var isAccepted: Bool {
            [.acceptedWithNoErrors, .acceptedWithItemLevelErrors, .acceptedWithBatchLevelErrors, .pendedFileAccepted].contains(self)
        }
        public var isRejected: Bool { [.rejectedWithBatchLevelErrors, .rejectedWithFileLevelErrors, .pendedFileRejected].contains(self) }
        public var isPended: Bool { [.pendedWithFileLevelErrors, .pendedWithBatchLevelErrors, .pendedForLevel2Security].contains(self) }
    }

    /// `BH232-INVALID …` and the detail line under it.
    public struct Message: Sendable, Hashable {
        public var code: String
        public var description: String
        public var detail: String
    }

    public struct BatchSection: Sendable, Hashable {
        public var batchNumber: Int
        /// `9999-9999-9` with the dashes removed.
        public var originatingDFI: String
        public var companyName: String
        public var companyID: String
        /// The raw `YYMMDD` of the batch header (the report shows it as `YY/MM/DD`).
        public var effectiveEntryDate: String
        public var entryAddendaCount: Int
        public var totalDebit: Int64
        public var totalCredit: Int64
        public var status: String
        public var messages: [Message]

        public var isRejected: Bool { status.contains("REJECTED") }
        public var isPended: Bool { status.contains("PENDED") && !status.contains("REJECTED") }
    }

    public var fileStatus: FileStatus
    public var fileStatusText: String
    /// Immediate origin and destination as 9 digits (dashes removed).
    public var immediateOrigin: String
    public var immediateDestination: String
    /// The raw `YYMMDD` and `HHMM` of the file header, rebuilt by rearranging characters, never by date parsing.
    public var fileCreationDate: String
    public var fileCreationTime: String
    public var fileIDModifier: String
    /// What the Fed read in our file control record.
    public var batchCount: Int
    public var entryAddendaCount: Int
    public var totalDebit: Int64
    public var totalCredit: Int64
    public var itemsRejected: Int?
    public var fileMessages: [Message]
    public var batches: [BatchSection]
}

/// Reads an acknowledgement into the model. Behind a protocol so another bank's format can be added
/// without touching what applies acknowledgements.
public protocol AcknowledgementParser: Sendable {
    func parse(_ bytes: [UInt8]) throws(AcknowledgementError) -> FedACHAcknowledgement
}

public struct AcknowledgementError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
