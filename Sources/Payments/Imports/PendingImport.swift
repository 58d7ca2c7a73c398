import Foundation

/// An import whose rows are being staged and that no reader sees yet (`PaymentImportStore`).
public struct PendingImport: Sendable, Hashable {
    public var id: String
    public var merchantID: String
    /// What is being imported (a file name), for the operator.
    public var source: String
    /// The job that stages it, `host:pid`: an import whose holder is gone is discarded.
    public var holder: String
    public var createdAt: Date

    public init(id: String, merchantID: String, source: String, holder: String, createdAt: Date) {
        self.id = id
        self.merchantID = merchantID
        self.source = source
        self.holder = holder
        self.createdAt = createdAt
    }
}
