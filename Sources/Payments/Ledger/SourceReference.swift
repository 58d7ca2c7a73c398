import Foundation

/// Where a change came from, as its history row records it. Encoded to the stored text (`file`,
/// `line`) here and only here, and decoded from it.
public enum SourceReference: Sendable, Hashable {
    /// An entry of one of our outbound files (`outbound:ID`, the entry's line).
    case outboundFile(id: String, line: Int?)
    /// A bank file we received (`inbound:ID`), at a line or as a whole.
    case inboundFile(id: String, line: Int?)
    /// An HTTP API request, by its Idempotency-Key (`api:idempotency:KEY`).
    case apiRequest(idempotencyKey: String)
    /// Any other request, by its idempotency key (`idempotency:KEY`).
    case request(idempotencyKey: String)
    /// A row of a CSV import (`csv:NAME`, the row's line).
    case csvImport(file: String, line: Int)
    /// An operator's action that names no file or request.
    case `operator`

    /// The stored text naming the file or request.
    public var file: String {
        switch self {
        case .outboundFile(let id, _): "outbound:" + id
        case .inboundFile(let id, _): "inbound:" + id
        case .apiRequest(let key): "api:idempotency:" + key
        case .request(let key): "idempotency:" + key
        case .csvImport(let file, _): "csv:" + file
        case .operator: "operator"
        }
    }

    /// The line in that file, when there is one.
    public var line: Int? {
        switch self {
        case .outboundFile(_, let line), .inboundFile(_, let line): line
        case .csvImport(_, let line): line
        case .apiRequest, .request, .operator: nil
        }
    }

    /// Reads back what `file` and `line` stored; nil for text no version of metl wrote.
    public init?(file: String, line: Int?) {
        func rest(after prefix: String) -> String? { file.hasPrefix(prefix) ? String(file.dropFirst(prefix.count)) : nil }
        if let id = rest(after: "outbound:") {
            self = .outboundFile(id: id, line: line)
        } else if let id = rest(after: "inbound:") {
            self = .inboundFile(id: id, line: line)
        } else if let key = rest(after: "api:idempotency:") {
            self = .apiRequest(idempotencyKey: key)
        } else if let key = rest(after: "idempotency:") {
            self = .request(idempotencyKey: key)
        } else if let name = rest(after: "csv:"), let line {
            self = .csvImport(file: name, line: line)
        } else if file == "operator" {
            self = .operator
        } else {
            return nil
        }
    }
}
