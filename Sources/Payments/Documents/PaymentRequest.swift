import Foundation

/// The payment request document shared by the CLI, CSV import and the HTTP API (snake_case JSON,
/// unknown fields rejected). Decoding only checks shapes; `validate(rules:)` checks meaning.
public struct PaymentRequest: Sendable, Hashable, Codable, ShapeChecked {
    public var amount: Int64
    /// False when the document's amount is a JSON number no Int64 holds (`9223372036854775808`,
    /// `1e400`, `12.5`): valid JSON with an invalid amount, which validation reports by name.
    public var amountIsWholeCents = true
    public var currency: String
    public var direction: String
    public var secCode: String
    public var description: String
    public var effectiveDate: String
    public var counterparty: CounterpartyRequest
    public var metadata: [String: String]
    /// `next_day`, `same_day` or `same_day_or_next`; absent: same day for an effective date of today.
    public var settlement: String?
    /// The bank profile to send through; absent: the merchant's, else the default.
    public var profile: String?
    /// Members the JSON document had that do not fit (unknown, missing, mistyped): `validate`
    /// reports them with everything else it finds.
    var shapeProblems: [PaymentError.FieldError] = []

    public struct CounterpartyRequest: Sendable, Hashable, Codable, ShapeChecked {
        public var name: String
        public var routingNumber: String
        public var accountNumber: String
        public var accountType: String
        var shapeProblems: [PaymentError.FieldError] = []

        public init(name: String, routingNumber: String, accountNumber: String, accountType: String) {
            self.name = name
            self.routingNumber = routingNumber
            self.accountNumber = accountNumber
            self.accountType = accountType
        }

        enum CodingKeys: String, CodingKey, CaseIterable {
            case name, routingNumber = "routing_number", accountNumber = "account_number", accountType = "account_type"
        }

        public init(from decoder: any Decoder) throws {
            var fields = try DocumentFields(decoder, CodingKeys.self)
            name = fields.required(String.self, .name) ?? ""
            routingNumber = fields.required(String.self, .routingNumber) ?? ""
            accountNumber = fields.required(String.self, .accountNumber) ?? ""
            accountType = fields.required(String.self, .accountType) ?? ""
            shapeProblems = fields.problems
        }
    }

    public init(amount: Int64, currency: String = "USD", direction: String, secCode: String, description: String,
                effectiveDate: String, counterparty: CounterpartyRequest, metadata: [String: String] = [:],
                settlement: String? = nil, profile: String? = nil) {
        self.amount = amount
        self.currency = currency
        self.direction = direction
        self.secCode = secCode
        self.description = description
        self.effectiveDate = effectiveDate
        self.counterparty = counterparty
        self.metadata = metadata
        self.settlement = settlement
        self.profile = profile
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case amount, currency, direction, secCode = "sec_code", description, effectiveDate = "effective_date",
             counterparty, metadata, settlement, profile
    }

    public init(from decoder: any Decoder) throws {
        var fields = try DocumentFields(decoder, CodingKeys.self)
        let amount = fields.wholeNumber(.amount)
        self.amount = amount.value ?? 0
        amountIsWholeCents = amount.representable
        currency = fields.optional(String.self, .currency) ?? "USD"
        direction = fields.required(String.self, .direction) ?? ""
        secCode = fields.required(String.self, .secCode) ?? ""
        description = fields.required(String.self, .description) ?? ""
        effectiveDate = fields.required(String.self, .effectiveDate) ?? ""
        counterparty = fields.nested(CounterpartyRequest.self, .counterparty)
            ?? CounterpartyRequest(name: "", routingNumber: "", accountNumber: "", accountType: "")
        metadata = fields.optional([String: String].self, .metadata) ?? [:]
        settlement = fields.optional(String.self, .settlement)
        profile = fields.optional(String.self, .profile)
        shapeProblems = fields.problems
    }

    /// Decodes a JSON body, turning decoding failures into field errors.
    public static func decode(json data: Data) throws(PaymentError) -> PaymentRequest {
        try RequestDocument.decode(PaymentRequest.self, json: data, name: "payment document")
    }
}
