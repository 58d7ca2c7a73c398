import Foundation

/// One history row as `payments show --json` and `GET /payments/{id}/events` print it.
public struct HistoryDocument: Sendable, Hashable, Codable {
    public var version: Int
    public var fromState: String?
    public var toState: String
    public var actor: String
    public var reasonCode: String
    public var reasonText: String
    public var sourceFile: String?
    public var sourceLine: Int?
    public var createdAt: String
    enum CodingKeys: String, CodingKey {
        case version, fromState = "from_state", toState = "to_state", actor, reasonCode = "reason_code",
             reasonText = "reason_text", sourceFile = "source_file", sourceLine = "source_line", createdAt = "created_at"
    }
    public init(_ entry: HistoryEntry) {
        version = entry.version
        fromState = entry.fromState?.rawValue
        toState = entry.toState.rawValue
        actor = entry.actor.rawValue
        reasonCode = entry.reasonCode
        reasonText = entry.reasonText
        sourceFile = entry.source?.file
        sourceLine = entry.source?.line
        createdAt = Timestamp.format(entry.createdAt)
    }
}
