import Foundation

/// One try at delivering an outbound file that failed before the file reached the bank (a refused
/// connection, a login or host-key failure, a write cut off): when, and what went wrong. A run
/// records one for each file still waiting, so a file that was never sent says why.
public struct DeliveryFailure: Sendable, Hashable {
    public var fileID: String
    public var at: Date
    public var error: String

    public init(fileID: String, at: Date, error: String) {
        self.fileID = fileID
        self.at = at
        self.error = error
    }
}
