import Foundation
import NACHA

/// The payment import CSV: a header row, then one payment per row with its own idempotency key. Any
/// bad row rejects the file with every problem listed by line number, so an import is applied
/// entirely or not at all.
public enum CSVImport {
    public static let requiredColumns = ["idempotency_key", "amount", "direction", "sec_code", "description",
                                         "effective_date", "counterparty_name", "routing_number", "account_number",
                                         "account_type"]
    public static let optionalColumns = ["currency", "metadata", "settlement", "profile"]

    public struct Row: Sendable, Hashable {
        /// 1-based line of the row in the file (the header is line 1).
        public var line: Int
        public var idempotencyKey: String
        public var request: ValidatedRequest
    }

    /// The rows of a whole file in memory (`CSVImportReader` reads one piece by piece).
    public static func parse(_ text: String, rules: PaymentRules, today: ACHDate = .today()) throws(PaymentError) -> [Row] {
        var reader = CSVImportReader(rules: rules, today: today)
        let rows = try reader.rows(in: text.utf8, final: true)
        try reader.check()
        return rows
    }

    /// Where each column sits in a row (the header decides), so a row's fields are read by position.
    struct Layout {
        let idempotencyKey, amount, direction, secCode, description, effectiveDate: Int
        let counterpartyName, routingNumber, accountNumber, accountType: Int
        let currency, metadata, settlement, profile: Int?

        /// `positions` holds every required column (the header was checked).
        init(_ positions: [String: Int]) {
            func at(_ column: String) -> Int { positions[column] ?? 0 }
            idempotencyKey = at("idempotency_key")
            amount = at("amount")
            direction = at("direction")
            secCode = at("sec_code")
            description = at("description")
            effectiveDate = at("effective_date")
            counterpartyName = at("counterparty_name")
            routingNumber = at("routing_number")
            accountNumber = at("account_number")
            accountType = at("account_type")
            currency = positions["currency"]
            metadata = positions["metadata"]
            settlement = positions["settlement"]
            profile = positions["profile"]
        }

        func request(from fields: [String]) throws(PaymentError) -> PaymentRequest {
            guard let amount = CentsText.parse(fields[amount]) else {
                throw PaymentError(.invalidRequest, "", fieldErrors: [.init(field: "amount", code: "invalid_type",
                                                                            message: "must be a whole number of cents, digits only")])
            }
            var metadata: [String: String] = [:]
            if let position = self.metadata, !fields[position].isEmpty {
                do {
                    metadata = try RequestDocument.decode([String: String].self, json: Data(fields[position].utf8), name: "metadata")
                } catch {
                    let duplicate = error.fieldErrors.first { $0.code == "duplicate_key" }
                    throw PaymentError(.invalidRequest, "", fieldErrors: [duplicate.map { .init(field: "metadata.\($0.field)", code: $0.code, message: $0.message) }
                        ?? .init(field: "metadata", code: "invalid_type", message: "must be a JSON object of strings")])
                }
            }
            func optional(_ position: Int?) -> String? { position.map { fields[$0] }.flatMap { $0.isEmpty ? nil : $0 } }
            let currency = optional(self.currency) ?? "USD"
            return PaymentRequest(
                amount: amount, currency: currency, direction: fields[direction], secCode: fields[secCode],
                description: fields[description], effectiveDate: fields[effectiveDate],
                counterparty: .init(name: fields[counterpartyName], routingNumber: fields[routingNumber],
                                    accountNumber: fields[accountNumber], accountType: fields[accountType]),
                metadata: metadata, settlement: optional(settlement), profile: optional(profile))
        }
    }
}
