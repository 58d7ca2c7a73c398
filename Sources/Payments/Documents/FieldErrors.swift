import Foundation

/// A decoding failure as the field error a caller sees: the JSON path of the member and what was wrong with it.
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
