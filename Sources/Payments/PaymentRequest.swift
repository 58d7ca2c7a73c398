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
                effectiveDate: String, counterparty: CounterpartyRequest, metadata: [String: String] = [:]) {
        self.amount = amount
        self.currency = currency
        self.direction = direction
        self.secCode = secCode
        self.description = description
        self.effectiveDate = effectiveDate
        self.counterparty = counterparty
        self.metadata = metadata
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case amount, currency, direction, secCode = "sec_code", description, effectiveDate = "effective_date",
             counterparty, metadata
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
    }

    /// Decodes a JSON body, turning decoding failures into field errors.
    public static func decode(json data: Data) throws(PaymentError) -> PaymentRequest {
        try RequestDocument.decode(PaymentRequest.self, json: data, name: "payment document")
    }
}

/// Request documents (payments, webhook endpoints, CSV metadata) read from JSON: `malformedJSON`
/// with the line and column when the bytes are not JSON, else `invalidRequest` naming the field that
/// does not fit, or that an object names twice.
public enum RequestDocument {
    public static func decode<Document: Decodable>(_ type: Document.Type, json data: Data,
                                                   name: String) throws(PaymentError) -> Document {
        // The scan runs first: a document with a member named twice decodes, keeping one of them.
        if let problem = JSONSyntax.firstProblem(in: Array(data)) {
            switch problem.kind {
            case .syntax:
                throw PaymentError(.malformedJSON, "the body is not valid JSON at \(problem)",
                                   fieldErrors: [.init(field: "body", code: "malformed_json", message: problem.description)])
            case .duplicateMember(let path):
                throw PaymentError(.invalidRequest, "the \(name) names a member twice",
                                   fieldErrors: [.init(field: path, code: "duplicate_key",
                                                       message: "appears more than once in its object (\(problem.line):\(problem.column))")])
            }
        }
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch let error as DecodingError {
            throw PaymentError(.invalidRequest, "the \(name) is not valid", fieldErrors: [FieldErrors.from(error)])
        } catch {
            throw PaymentError(.invalidRequest, "the \(name) could not be read")
        }
    }
}

/// Fails decoding when the object has a key outside `allowed`, naming the key: request documents
/// reject fields they do not know rather than ignoring a misspelt one.
public func rejectUnknownKeys<Keys: CodingKey & CaseIterable>(_ decoder: any Decoder, allowed: Keys.Type) throws {
    let container = try decoder.container(keyedBy: AnyKey.self)
    let known = Set(Keys.allCases.map(\.stringValue))
    if let unknown = container.allKeys.first(where: { !known.contains($0.stringValue) }) {
        throw DecodingError.dataCorrupted(.init(codingPath: container.codingPath + [unknown],
                                                debugDescription: "unknown field"))
    }
}

struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int?
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) {
        self.stringValue = String(intValue)
        self.intValue = intValue
    }
}

enum FieldErrors {
    static func path(_ codingPath: [any CodingKey]) -> String {
        codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
    }

    static func from(_ error: DecodingError) -> PaymentError.FieldError {
        switch error {
        case .keyNotFound(let key, let context):
            return .init(field: path(context.codingPath + [key]), code: "required", message: "is required")
        case .typeMismatch(let type, let context):
            return .init(field: path(context.codingPath), code: "invalid_type", message: "must be \(typeName(type))")
        case .valueNotFound(let type, let context):
            return .init(field: path(context.codingPath), code: "required", message: "must be \(typeName(type)), not null")
        case .dataCorrupted(let context):
            let field = path(context.codingPath)
            if context.debugDescription == "unknown field" {
                return .init(field: field, code: "unknown_field", message: "is not a field of this document")
            }
            return .init(field: field.isEmpty ? "body" : field, code: "malformed", message: "is not valid JSON")
        @unknown default:
            return .init(field: "body", code: "malformed", message: "is not valid")
        }
    }

    private static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is Int64.Type, is Int.Type: "an integer"
        case is String.Type: "a string"
        default: "an object"
        }
    }
}
