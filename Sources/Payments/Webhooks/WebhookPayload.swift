import Foundation

/// The JSON body of a webhook event, rendered from what never changes after the version it
/// announces: for a payment or a check, the history row and the fields fixed by then (amount, file,
/// trace, the failure of a final state); for an exception, what the bank presented, the status the
/// event names and the decision behind it. Every attempt and replay therefore sends the same bytes
/// without the outbox keeping a copy of them.
public enum WebhookPayload {
    public static func render(_ event: WebhookEvent) -> Data {
        var output: [UInt8] = []
        output.reserveCapacity(512)
        func append(_ text: String) { output.append(contentsOf: text.utf8) }
        append("{")
        member("id", event.id, into: &output)
        member("type", event.type.rawValue, into: &output)
        switch event.subject {
        case .payment(let payment, let entry):
            opening(entry, id: payment.id, merchantID: payment.merchantID, amount: payment.amount, into: &output)
            member("currency", payment.currency, into: &output)
            member("direction", payment.direction.rawValue, into: &output)
            reason(entry, failure: payment.failure, into: &output)
            member("file_id", payment.submission?.fileID, into: &output)
            member("trace_number", payment.submission?.traceNumberText, last: true, into: &output)
        case .check(let check, let entry):
            opening(entry, id: check.id, merchantID: check.merchantID, amount: check.amount, into: &output)
            member("account_id", check.accountID, into: &output)
            member("serial", check.serial, into: &output)
            member("issue_date", check.issueDate.description, into: &output)
            member("payee", check.payee, into: &output)
            reason(entry, failure: check.failure, into: &output)
            member("issue_file_id", check.issueRecord?.fileID, last: true, into: &output)
        case .exception(let exception, let decision):
            let status = event.type.exceptionStatus ?? exception.status
            member("timestamp", Timestamp.format(event.createdAt), into: &output)
            append("\"data\":{")
            member("id", exception.id, into: &output)
            member("merchant_id", exception.merchantID, into: &output)
            member("status", status.rawValue, into: &output)
            append("\"version\":\(status.version),\"presented_amount\":\(exception.presentedAmount),\"issued_amount\":")
            append(exception.issuedAmount.map(String.init) ?? "null")
            append(",")
            member("account_id", exception.accountID, into: &output)
            member("check_id", exception.checkID, into: &output)
            member("serial", exception.serial, into: &output)
            member("presented_payee", exception.presentedPayee, into: &output)
            member("reason", exception.reason.rawValue, into: &output)
            member("default_decision", exception.defaultDecision.rawValue, into: &output)
            member("decision_deadline", Timestamp.format(exception.deadline), into: &output)
            append("\"decision\":")
            applied(status, exception, decision, into: &output)
        }
        append("}}")
        return Data(output)
    }

    /// A request's `timestamp` (its history row's), then in `data` its `id`, `merchant_id`, `state`,
    /// `previous_state`, `version` and `amount`.
    private static func opening(_ entry: HistoryEntry, id: String, merchantID: String, amount: Int64, into output: inout [UInt8]) {
        member("timestamp", Timestamp.format(entry.createdAt), into: &output)
        output.append(contentsOf: "\"data\":{".utf8)
        member("id", id, into: &output)
        member("merchant_id", merchantID, into: &output)
        member("state", entry.toState.rawValue, into: &output)
        member("previous_state", entry.fromState?.rawValue, into: &output)
        output.append(contentsOf: "\"version\":\(entry.version),\"amount\":\(amount),".utf8)
    }

    /// `reason_code`, `reason` and the `failure` of a change into P_FAILED.
    private static func reason(_ entry: HistoryEntry, failure: Failure?, into output: inout [UInt8]) {
        member("reason_code", entry.reasonCode, into: &output)
        member("reason", entry.reasonText, into: &output)
        output.append(contentsOf: "\"failure\":".utf8)
        if entry.toState == .failed, let failure {
            output.append(UInt8(ascii: "{"))
            member("code", failure.code, into: &output)
            member("message", failure.message, last: true, into: &output)
            output.append(contentsOf: "},".utf8)
        } else {
            output.append(contentsOf: "null,".utf8)
        }
    }

    /// The decision an exception's event reports (`CheckException.applied`), and who made it.
    private static func applied(_ status: CheckException.Status, _ exception: CheckException, _ decision: ExceptionDecision?,
                                into output: inout [UInt8]) {
        guard let (applied, made) = CheckException.applied(at: status, company: decision, default: exception.defaultDecision) else {
            output.append(contentsOf: "null".utf8)
            return
        }
        output.append(UInt8(ascii: "{"))
        member("id", made?.id, into: &output)
        member("decision", applied.rawValue, into: &output)
        member("return_reason", made?.returnReason, into: &output)
        member("decided_by", made == nil ? "bank_default" : "company", last: true, into: &output)
        output.append(UInt8(ascii: "}"))
    }

    private static func member(_ name: String, _ value: String?, last: Bool = false, into output: inout [UInt8]) {
        output.append(contentsOf: "\"\(name)\":".utf8)
        if let value { CanonicalJSON.string(value, into: &output) } else { output.append(contentsOf: "null".utf8) }
        if !last { output.append(UInt8(ascii: ",")) }
    }
}
