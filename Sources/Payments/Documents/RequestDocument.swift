import Foundation

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
