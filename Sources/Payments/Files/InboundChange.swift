/// One history row a bank file wrote: what it changed, a payment, a check issue or a decision, and
/// how. `metl ingest show` lists a file's changes from these.
public struct InboundChange: Sendable, Hashable {
    public enum Subject: String, Sendable, Hashable, Codable {
        case payment, check, decision
    }

    public var subject: Subject
    /// `entry.requestID` is the subject's id; `entry.source` names the file and its line.
    public var entry: HistoryEntry

    public init(subject: Subject, entry: HistoryEntry) {
        self.subject = subject
        self.entry = entry
    }
}
