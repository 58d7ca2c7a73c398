import Foundation

/// What an operator does with a bank file metl could not apply.
extension InboundFileStore {
    /// Closes quarantined file `id` without applying it, recorded with who, when and why, and the
    /// processed file that replaced it when the bank sent a corrected one. A file that is not
    /// quarantined, or a replacement that was not processed, is refused and nothing changes.
    public func dismissInbound(id: String, reason: String, supersededBy replacementID: String?, by person: String,
                               at now: Date) async throws -> InboundFile {
        let file = try await inboundFile(id: id)
        var replacement: InboundFile?
        if let replacementID { replacement = try await inboundFile(id: replacementID) }
        let dismissal = try file.dismissal(reason: reason, supersededBy: replacement, by: person, at: now)
        try await dismissInbound(id: file.id, dismissal)
        return try await inboundFile(id: file.id)
    }
}

extension InboundFile {
    /// The rule for closing this file: it is quarantined, the reason says something, and a
    /// replacement is another file that was processed.
    func dismissal(reason: String, supersededBy replacement: InboundFile?, by person: String, at now: Date) throws(PaymentError) -> Dismissal {
        guard status == .quarantined else {
            throw PaymentError(.invalidStatus, "\(id) is \(status.rawValue); only a quarantined file is dismissed")
        }
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !reason.isEmpty else {
            throw PaymentError(.invalidRequest, "say why \(id) is dismissed", fieldErrors: [.init(field: "reason", code: "required", message: "is empty")])
        }
        if let replacement {
            guard replacement.id != id else { throw PaymentError(.invalidRequest, "\(id) cannot supersede itself") }
            guard replacement.status == .processed else {
                throw PaymentError(.invalidStatus, "\(replacement.id) is \(replacement.status.rawValue); a file is superseded by one that was processed")
            }
        }
        return Dismissal(person: person, reason: reason, supersededBy: replacement?.id, at: now)
    }
}
