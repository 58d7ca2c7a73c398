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

        let layout = Layout(positions)
        var rows: [Row] = []
        rows.reserveCapacity(records.count - 1)
        var keys: [String: Int] = [:]
        keys.reserveCapacity(records.count - 1)
        for record in records.dropFirst() {
            let prefix = "line \(record.line)"
            guard record.fields.count == columns.count else {
                errors.append(.init(field: prefix, code: "column_count",
                                    message: "has \(record.fields.count) fields, the header has \(columns.count)"))
                continue
            }
            do throws(PaymentError) {
                let key = try IdempotencyKey.validate(record.fields[layout.idempotencyKey])
                if let earlier = keys[key] {
                    throw PaymentError(.invalidRequest, "", fieldErrors: [.init(
                        field: "idempotency_key", code: "duplicate", message: "repeats the key of line \(earlier)")])
                }
                keys[key] = record.line
                let request = try layout.request(from: record.fields)
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

    /// Where each column sits in a row (the header decides), so a row's fields are read by position.
    struct Layout {
        let idempotencyKey, amount, direction, secCode, description, effectiveDate: Int
        let counterpartyName, routingNumber, accountNumber, accountType: Int
        let currency, metadata: Int?

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
        }

        func request(from fields: [String]) throws(PaymentError) -> PaymentRequest {
            guard let amount = Int64(fields[amount]) else {
                throw PaymentError(.invalidRequest, "", fieldErrors: [.init(field: "amount", code: "invalid_type",
                                                                            message: "must be an integer number of cents")])
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
            let currency = self.currency.map { fields[$0] }.flatMap { $0.isEmpty ? nil : $0 } ?? "USD"
            return PaymentRequest(
                amount: amount, currency: currency, direction: fields[direction], secCode: fields[secCode],
                description: fields[description], effectiveDate: fields[effectiveDate],
                counterparty: .init(name: fields[counterpartyName], routingNumber: fields[routingNumber],
                                    accountNumber: fields[accountNumber], accountType: fields[accountType]),
                metadata: metadata)
        }
    }
}

/// RFC 4180 fields: commas, double-quoted fields with `""` escapes and embedded newlines, CRLF or LF.
/// It works on the UTF-8 bytes: an unquoted field (nearly all of them) becomes a `String` straight from
/// its byte range, and only a quoted one is copied byte by byte to undo its escapes.
enum CSVTokenizer {
    static func records(_ text: String) throws(PaymentError.FieldError) -> [(line: Int, fields: [String])] {
        let (comma, quote, cr, lf) = (UInt8(ascii: ","), UInt8(ascii: "\""), UInt8(0x0D), UInt8(0x0A))
        let bytes = Array(text.utf8)
        let end = bytes.count
        var records: [(line: Int, fields: [String])] = []
        var index = 0
        var line = 1
        var width = 0
        while index < end {
            let recordLine = line
            var fields: [String] = []
            fields.reserveCapacity(width)
            var recordEnded = false
            while !recordEnded {
                if index < end, bytes[index] == quote {
                    index += 1
                    var value: [UInt8] = []
                    var closed = false
                    while index < end {
                        let byte = bytes[index]
                        index += 1
                        if byte == quote {
                            guard index < end, bytes[index] == quote else {
                                closed = true
                                break
                            }
                            index += 1
                        } else if byte == lf {
                            line += 1
                        }
                        value.append(byte)
                    }
                    guard closed else {
                        throw .init(field: "line \(recordLine)", code: "malformed_csv", message: "has an unterminated quoted field")
                    }
                    fields.append(String(decoding: value, as: UTF8.self))
                    if index < end, bytes[index] == cr, index + 1 < end, bytes[index + 1] == lf { index += 1 }
                    if index < end, bytes[index] != comma, bytes[index] != lf {
                        throw .init(field: "line \(line)", code: "malformed_csv", message: "has text after a closing quote")
                    }
                } else {
                    let start = index
                    while index < end, bytes[index] != comma, bytes[index] != lf, bytes[index] != quote { index += 1 }
                    if index < end, bytes[index] == quote {
                        throw .init(field: "line \(line)", code: "malformed_csv", message: "has a quote inside an unquoted field")
                    }
                    // A CR is part of the line ending only right before its LF.
                    let stop = index < end && bytes[index] == lf && index > start && bytes[index - 1] == cr ? index - 1 : index
                    fields.append(String(decoding: bytes[start..<stop], as: UTF8.self))
                }
                if index >= end {
                    recordEnded = true
                } else {
                    if bytes[index] == lf {
                        line += 1
                        recordEnded = true
                    }
                    index += 1
                }
            }
            width = fields.count
            if !(fields.count == 1 && fields[0].isEmpty) { records.append((recordLine, fields)) }
        }
        return records
    }
}
