import Foundation
import NACHA

/// The payment request document shared by the CLI, CSV import and the HTTP API (snake_case JSON,
/// unknown fields rejected). Decoding only checks shapes; `validate(rules:)` checks meaning.
public struct PaymentRequest: Sendable, Hashable, Codable {
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

    public struct CounterpartyRequest: Sendable, Hashable, Codable {
        public var name: String
        public var routingNumber: String
        public var accountNumber: String
        public var accountType: String

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
            try rejectUnknownKeys(decoder, allowed: CodingKeys.self)
            let container = try decoder.container(keyedBy: CodingKeys.self)
            name = try container.decode(String.self, forKey: .name)
            routingNumber = try container.decode(String.self, forKey: .routingNumber)
            accountNumber = try container.decode(String.self, forKey: .accountNumber)
            accountType = try container.decode(String.self, forKey: .accountType)
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
        try rejectUnknownKeys(decoder, allowed: CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        do {
            amount = try container.decode(Int64.self, forKey: .amount)
        } catch let error as DecodingError {
            throw error  // missing, null, a string: the decoder names the field
        } catch {
            // Foundation's own "number is not representable": valid JSON (checked before decoding)
            // whose number is not an Int64.
            amount = 0
            amountIsWholeCents = false
        }
        currency = try container.decodeIfPresent(String.self, forKey: .currency) ?? "USD"
        direction = try container.decode(String.self, forKey: .direction)
        secCode = try container.decode(String.self, forKey: .secCode)
        description = try container.decode(String.self, forKey: .description)
        effectiveDate = try container.decode(String.self, forKey: .effectiveDate)
        counterparty = try container.decode(CounterpartyRequest.self, forKey: .counterparty)
        metadata = try container.decodeIfPresent([String: String].self, forKey: .metadata) ?? [:]
        settlement = try container.decodeIfPresent(String.self, forKey: .settlement)
        profile = try container.decodeIfPresent(String.self, forKey: .profile)
    }

    /// Decodes a JSON body, turning decoding failures into field errors.
    public static func decode(json data: Data) throws(PaymentError) -> PaymentRequest {
        try RequestDocument.decode(PaymentRequest.self, json: data, name: "payment document")
    }
}
