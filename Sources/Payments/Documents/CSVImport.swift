import Foundation
import NACHA

/// Reads the payment import CSV: a header row, then one payment per row with its own idempotency key.
/// The whole file is checked before anything is stored; any bad row rejects the file with every
/// problem listed by line number, so an import is applied entirely or not at all.
public enum CSVImport {
    public static let requiredColumns = ["idempotency_key", "amount", "direction", "sec_code", "description",
                                         "effective_date", "counterparty_name", "routing_number", "account_number",
                                         "account_type"]
    public static let optionalColumns = ["currency", "metadata"]

    public struct Row: Sendable, Hashable {
        /// 1-based line of the row in the file (the header is line 1).
        public var line: Int
        public var idempotencyKey: String
        public var request: ValidatedRequest
    }

    public static func parse(_ text: String, rules: PaymentRules, today: ACHDate = .today()) throws(PaymentError) -> [Row] {
        let records: [(line: Int, fields: [String])]
        // Spreadsheet exports start with a byte order mark; it is not part of the first column's name.
        let text = text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text
        do {
            records = try CSVTokenizer.records(text)
        } catch {
            throw PaymentError(.invalidRequest, "the CSV file is malformed", fieldErrors: [error])
        }
        guard let header = records.first else {
            throw PaymentError(.invalidRequest, "the CSV file is empty",
                               fieldErrors: [.init(field: "line 1", code: "missing_header", message: "needs a header row")])
        }
        let columns = header.fields.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        var errors: [PaymentError.FieldError] = []
        var positions: [String: Int] = [:]
        for (position, column) in columns.enumerated() {
            if let first = positions[column] {
                errors.append(.init(field: "line 1: \(column)", code: "duplicate_column",
                                    message: "is column \(first + 1) and again column \(position + 1)"))
            } else {
                positions[column] = position
            }
            if !requiredColumns.contains(column) && !optionalColumns.contains(column) {
                errors.append(.init(field: "line 1: \(column)", code: "unknown_column", message: "is not a known column"))
            }
        }
        for column in requiredColumns where !columns.contains(column) {
            errors.append(.init(field: "line 1: \(column)", code: "missing_column", message: "is a required column"))
        }
        guard errors.isEmpty else { throw PaymentError(.invalidRequest, "the CSV header is invalid", fieldErrors: errors) }

        var rows: [Row] = []
        var keys: [String: Int] = [:]
        for record in records.dropFirst() {
            let prefix = "line \(record.line)"
            guard record.fields.count == columns.count else {
                errors.append(.init(field: prefix, code: "column_count",
                                    message: "has \(record.fields.count) fields, the header has \(columns.count)"))
                continue
            }
            // The header has no duplicate (checked above); the first value would win otherwise.
            let values = Dictionary(zip(columns, record.fields), uniquingKeysWith: { first, _ in first })
            do throws(PaymentError) {
                let key = try IdempotencyKey.validate(values["idempotency_key"] ?? "")
                if let earlier = keys[key] {
                    throw PaymentError(.invalidRequest, "", fieldErrors: [.init(
                        field: "idempotency_key", code: "duplicate", message: "repeats the key of line \(earlier)")])
                }
                keys[key] = record.line
                let request = try request(from: values)
                rows.append(Row(line: record.line, idempotencyKey: key, request: try request.validate(rules: rules, today: today)))
            } catch {
                errors += error.fieldErrors.map { .init(field: "\(prefix): \($0.field)", code: $0.code, message: $0.message) }
            }
        }
        guard errors.isEmpty else {
            throw PaymentError(.invalidRequest, "the CSV file has invalid rows; nothing was imported", fieldErrors: errors)
        }
        return rows
    }

    private static func request(from values: [String: String]) throws(PaymentError) -> PaymentRequest {
        let amountText = values["amount"] ?? ""
        guard let amount = Int64(amountText) else {
            throw PaymentError(.invalidRequest, "", fieldErrors: [.init(field: "amount", code: "invalid_type",
                                                                        message: "must be an integer number of cents")])
        }
        var metadata: [String: String] = [:]
        if let text = values["metadata"], !text.isEmpty {
            do {
                metadata = try RequestDocument.decode([String: String].self, json: Data(text.utf8), name: "metadata")
            } catch {
                let duplicate = error.fieldErrors.first { $0.code == "duplicate_key" }
                throw PaymentError(.invalidRequest, "", fieldErrors: [duplicate.map { .init(field: "metadata.\($0.field)", code: $0.code, message: $0.message) }
                    ?? .init(field: "metadata", code: "invalid_type", message: "must be a JSON object of strings")])
            }
        }
        let currency = values["currency"].flatMap { $0.isEmpty ? nil : $0 } ?? "USD"
        return PaymentRequest(
            amount: amount, currency: currency, direction: values["direction"] ?? "", secCode: values["sec_code"] ?? "",
            description: values["description"] ?? "", effectiveDate: values["effective_date"] ?? "",
            counterparty: .init(name: values["counterparty_name"] ?? "", routingNumber: values["routing_number"] ?? "",
                                accountNumber: values["account_number"] ?? "", accountType: values["account_type"] ?? ""),
            metadata: metadata)
    }
}

/// RFC 4180 fields: commas, double-quoted fields with `""` escapes and embedded newlines, CRLF or LF.
enum CSVTokenizer {
    static func records(_ text: String) throws(PaymentError.FieldError) -> [(line: Int, fields: [String])] {
        var records: [(line: Int, fields: [String])] = []
        var fields: [String] = []
        var field: [UInt8] = []
        var quoted = false
        var fieldWasQuoted = false
        var line = 1
        var recordLine = 1
        let bytes = Array(text.utf8)
        var index = 0
        func endField() {
            fields.append(String(decoding: field, as: UTF8.self))
            field.removeAll(keepingCapacity: true)
            fieldWasQuoted = false
        }
        func endRecord() {
            endField()
            if !(fields.count == 1 && fields[0].isEmpty) { records.append((recordLine, fields)) }
            fields.removeAll(keepingCapacity: true)
        }
        while index < bytes.count {
            let byte = bytes[index]
            if quoted {
                if byte == UInt8(ascii: "\"") {
                    if index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "\"") {
                        field.append(byte)
                        index += 1
                    } else {
                        quoted = false
                    }
                } else {
                    if byte == 0x0A { line += 1 }
                    field.append(byte)
                }
            } else {
                switch byte {
                case UInt8(ascii: ","):
                    endField()
                case UInt8(ascii: "\""):
                    guard field.isEmpty, !fieldWasQuoted else {
                        throw .init(field: "line \(line)", code: "malformed_csv", message: "has a quote inside an unquoted field")
                    }
                    quoted = true
                    fieldWasQuoted = true
                case 0x0D where index + 1 < bytes.count && bytes[index + 1] == 0x0A:
                    break
                case 0x0A:
                    endRecord()
                    line += 1
                    recordLine = line
                default:
                    if fieldWasQuoted {
                        throw .init(field: "line \(line)", code: "malformed_csv", message: "has text after a closing quote")
                    }
                    field.append(byte)
                }
            }
            index += 1
        }
        if quoted {
            throw .init(field: "line \(recordLine)", code: "malformed_csv", message: "has an unterminated quoted field")
        }
        if !field.isEmpty || !fields.isEmpty { endRecord() }
        return records
    }
}
