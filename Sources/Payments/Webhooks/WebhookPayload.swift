import Foundation

/// The JSON body of a webhook event, rendered from the history row the event announces and the
/// payment's fields that never change after that version (amount, file, trace, the failure of a
/// final state). Every attempt and replay therefore sends the same bytes without the outbox keeping
/// a copy of them.
public enum WebhookPayload {
    public static func render(eventID: String, type: WebhookEventType, entry: HistoryEntry, payment: Payment) -> Data {
        var output: [UInt8] = []
        output.reserveCapacity(512)
        func append(_ text: String) { output.append(contentsOf: text.utf8) }
        append("{")
        member("id", eventID, into: &output)
        member("type", type.rawValue, into: &output)
        member("timestamp", Timestamp.format(entry.createdAt), into: &output)
        append("\"data\":{")
        member("id", payment.id, into: &output)
        member("merchant_id", payment.merchantID, into: &output)
        member("state", entry.toState.rawValue, into: &output)
        member("previous_state", entry.fromState?.rawValue, into: &output)
        append("\"version\":\(entry.version),\"amount\":\(payment.amount),")
        member("currency", payment.currency, into: &output)
        member("direction", payment.direction.rawValue, into: &output)
        member("reason_code", entry.reasonCode, into: &output)
        member("reason", entry.reasonText, into: &output)
        append("\"failure\":")
        if entry.toState == .failed, let failure = payment.failure {
            append("{")
            member("code", failure.code, into: &output)
            member("message", failure.message, last: true, into: &output)
            append("},")
        } else {
            append("null,")
        }
        member("file_id", payment.submission?.fileID, into: &output)
        member("trace_number", payment.submission?.traceNumberText, last: true, into: &output)
        append("}}")
        return Data(output)
    }

    private static func member(_ name: String, _ value: String?, last: Bool = false, into output: inout [UInt8]) {
        output.append(contentsOf: "\"\(name)\":".utf8)
        if let value { CanonicalJSON.string(value, into: &output) } else { output.append(contentsOf: "null".utf8) }
        if !last { output.append(UInt8(ascii: ",")) }
    }
}
