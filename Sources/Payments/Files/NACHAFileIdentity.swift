import Foundation
import NACHA

/// What only a NACHA file has: the header identity acknowledgements quote, and its control totals.
public struct NACHAFileIdentity: Sendable, Hashable {
    public var immediateOrigin: String
    public var immediateDestination: String
    public var creationDate: ACHDate
    public var creationTime: ACHTime
    public var fileIDModifier: String
    public var batchCount: Int
    public var entryAddendaCount: Int
    public var entryHash: Int

    public init(immediateOrigin: String, immediateDestination: String, creationDate: ACHDate, creationTime: ACHTime,
                fileIDModifier: String, batchCount: Int, entryAddendaCount: Int, entryHash: Int) {
        self.immediateOrigin = immediateOrigin
        self.immediateDestination = immediateDestination
        self.creationDate = creationDate
        self.creationTime = creationTime
        self.fileIDModifier = fileIDModifier
        self.batchCount = batchCount
        self.entryAddendaCount = entryAddendaCount
        self.entryHash = entryHash
    }
}
