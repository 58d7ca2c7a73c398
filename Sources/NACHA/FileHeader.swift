/// The `1` record: who sends the file to whom, and when.
public struct FileHeader: Sendable, Hashable {
    public var priorityCode: Int = 1
    /// Routing of the receiving point, usually 9 digits written as ` 091000019`.
    public var immediateDestination: String
    /// Routing of the sending point (9 digits) or a 10-character bank-assigned value.
    public var immediateOrigin: String
    public var creationDate: ACHDate
    public var creationTime: ACHTime?
    public var fileIDModifier: String
    public var recordSize: Int = NACHA.recordLength
    public var blockingFactor: Int = NACHA.blockingFactor
    public var formatCode: String = "1"
    public var immediateDestinationName: String = ""
    public var immediateOriginName: String = ""
    public var referenceCode: String = ""

    public init(immediateDestination: String, immediateOrigin: String, creationDate: ACHDate, creationTime: ACHTime?,
                fileIDModifier: String, immediateDestinationName: String = "", immediateOriginName: String = "",
                referenceCode: String = "") {
        self.immediateDestination = immediateDestination
        self.immediateOrigin = immediateOrigin
        self.creationDate = creationDate
        self.creationTime = creationTime
        self.fileIDModifier = fileIDModifier
        self.immediateDestinationName = immediateDestinationName
        self.immediateOriginName = immediateOriginName
        self.referenceCode = referenceCode
    }

    public enum Fields {
        public static let recordType = Field.numeric("record_type", 1, 1, .constant)
        public static let priorityCode = Field.numeric("priority_code", 2, 2)
        public static let immediateDestination = Field("immediate_destination", 4, 10, .rightAlphanumeric, .routing)
        public static let immediateOrigin = Field("immediate_origin", 14, 10, .rightAlphanumeric, .routing)
        public static let creationDate = Field.numeric("file_creation_date", 24, 6, .date)
        public static let creationTime = Field.numeric("file_creation_time", 30, 4, .time)
        public static let fileIDModifier = Field.alpha("file_id_modifier", 34, 1)
        public static let recordSize = Field.numeric("record_size", 35, 3)
        public static let blockingFactor = Field.numeric("blocking_factor", 38, 2)
        public static let formatCode = Field.alpha("format_code", 40, 1)
        public static let destinationName = Field.alpha("immediate_destination_name", 41, 23)
        public static let originName = Field.alpha("immediate_origin_name", 64, 23)
        public static let referenceCode = Field.alpha("reference_code", 87, 8)
        public static let all = [recordType, priorityCode, immediateDestination, immediateOrigin, creationDate, creationTime,
                                 fileIDModifier, recordSize, blockingFactor, formatCode, destinationName, originName, referenceCode]
    }
}
