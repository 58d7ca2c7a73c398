import Foundation

/// The webhook endpoint request document: `{"url": "https://…", "events": ["payment.completed", …]}`,
/// `events` absent, empty or `"*"` for every event. Decoding only notes shape problems;
/// `validated(urlProblem:)` reports them with every other problem in one answer.
public struct WebhookEndpointRequest: Sendable, Hashable, Decodable, ShapeChecked {
    public var url: String
    public var events: [String]?
    var shapeProblems: [PaymentError.FieldError] = []

    enum CodingKeys: String, CodingKey, CaseIterable { case url, events }

    public init(from decoder: any Decoder) throws {
        var fields = try DocumentFields(decoder, CodingKeys.self)
        url = fields.required(String.self, .url) ?? ""
        events = fields.optional([String].self, .events)
        shapeProblems = fields.problems
    }

    /// The event types the endpoint takes (empty: every type), or every problem: the document's
    /// shape, the event names no type has, and `urlProblem`, the address policy's verdict on `url`,
    /// which the caller judges because it may need the network.
    public func validated(urlProblem: PaymentError.FieldError?) throws(PaymentError) -> [WebhookEventType] {
        var errors: [PaymentError.FieldError] = []
        var types: [WebhookEventType] = []
        for (index, name) in (events ?? []).enumerated() where name != "*" {
            if let type = WebhookEventType(rawValue: name) { types.append(type) } else {
                errors.append(.init(field: "events[\(index)]", code: "unknown_event_type",
                                    message: "must be one of " + WebhookEventType.allCases.map(\.rawValue).joined(separator: ", ")))
            }
        }
        if let urlProblem { errors.append(urlProblem) }
        try requireValid(errors, headline: "the endpoint is invalid")
        return types
    }
}
