import Foundation
import NACHA

/// The check import CSV: a header row, then one check per row with its own idempotency key.
/// Every row is checked against its account first; any bad row rejects the whole file with each
/// problem listed by line, so an import is applied entirely or not at all.
public enum CheckImport {
    public static let requiredColumns = ["idempotency_key", "account_id", "serial", "amount", "issue_date"]
    public static let optionalColumns = ["payee"]

    public struct Row: Sendable, Hashable {
        /// 1-based line of the row (the header is line 1).
        public var line: Int
        public var idempotencyKey: String
        public var check: ValidatedCheck
    }

    /// Every row of `text`, validated against `accounts` (by id); the merchant's accounts only.
    public static func parse(_ text: String, accounts: [String: CheckAccount], rules: CheckRules,
                             today: ACHDate = .today()) throws(PaymentError) -> [Row] {
        let records: [CSVTokenizer.Record]
        do { records = try CSVTokenizer.records(text) } catch {
            throw PaymentError(.invalidRequest, "the check import is not valid CSV", fieldErrors: [error])
        }
        guard let header = records.first else {
            throw PaymentError(.invalidRequest, "the check import is empty",
                               fieldErrors: [.init(field: "line 1", code: "missing_header", message: "needs a header row")])
        }
        var errors: [PaymentError.FieldError] = []
        var positions: [String: Int] = [:]
        for (index, column) in header.fields.enumerated() {
            if !(requiredColumns + optionalColumns).contains(column) {
                errors.append(.init(field: "line 1: \(column)", code: "unknown_column", message: "is not a known column"))
            } else if positions[column] != nil {
                errors.append(.init(field: "line 1: \(column)", code: "duplicate_column", message: "appears twice"))
            }
            positions[column] = index
        }
        for column in requiredColumns where positions[column] == nil {
            errors.append(.init(field: "line 1: \(column)", code: "missing_column", message: "is a required column"))
        }
        guard errors.isEmpty else { throw PaymentError(.invalidRequest, "the check import's header is invalid", fieldErrors: errors) }
        func at(_ column: String) -> Int { positions[column] ?? 0 }
        var rows: [Row] = []
        var keys: [String: Int] = [:]
        for record in records.dropFirst() {
            let prefix = "line \(record.line)"
            guard record.fields.count == header.fields.count else {
                errors.append(.init(field: prefix, code: "column_count",
                                    message: "has \(Words.count(record.fields.count, "field")), the header has \(header.fields.count)"))
                continue
            }
            let fields = record.fields
            // As `checks issue` and the API take it: a UUID v4, compared lower-cased, so one key is one request everywhere.
            let key: String
            do throws(PaymentError) {
                key = try IdempotencyKey.validate(fields[at("idempotency_key")], field: "\(prefix): idempotency_key")
            } catch {
                errors += error.fieldErrors
                continue
            }
            if let earlier = keys[key] {
                errors.append(.init(field: "\(prefix): idempotency_key", code: "duplicate", message: "repeats the key of line \(earlier)"))
                continue
            }
            keys[key] = record.line
            guard let account = accounts[fields[at("account_id")]] else {
                errors.append(CheckAccount.unknownProblem(field: "\(prefix): account_id"))
                continue
            }
            guard let amount = CentsText.parse(fields[at("amount")]) else {
                errors.append(.init(field: "\(prefix): amount", code: "invalid_type", message: "must be a whole number of cents, digits only"))
                continue
            }
            let request = CheckIssueRequest(accountID: account.id, serial: fields[at("serial")], amount: amount,
                                            issueDate: fields[at("issue_date")], payee: positions["payee"].map { fields[$0] })
            do throws(PaymentError) {
                rows.append(Row(line: record.line, idempotencyKey: key, check: try request.validate(for: account, rules: rules, today: today)))
            } catch {
                errors += error.fieldErrors.map { .init(field: "\(prefix): \($0.field)", code: $0.code, message: $0.message) }
            }
        }
        guard errors.isEmpty else {
            throw PaymentError(.invalidRequest, "the check import is invalid; nothing was imported", fieldErrors: errors)
        }
        return rows
    }
}
