import Foundation
import Hummingbird
import Payments

/// Reading a JSON request body, the same way for every endpoint that takes one: the media type
/// (415), the size limit (413), then the document (400 with line and column, or naming the field).
enum RequestBody {
    static func decode<Document: Decodable>(_ type: Document.Type, from request: Request, name: String,
                                            limit: Int) async throws -> Document {
        try requireJSON(request)
        // A declared length over the limit is refused before a byte of the body is read (the
        // connection then closes rather than drain it).
        if let declared = request.headers[.contentLength].flatMap(Int.init), declared > limit {
            throw Problem(.payloadTooLarge, "the body is \(declared) bytes; at most \(limit) are accepted")
        }
        var request = request
        let body = try await request.collectBody(upTo: limit)
        do {
            return try RequestDocument.decode(type, json: Data(buffer: body), name: name)
        } catch where error.code == .malformedJSON {
            throw Problem(error)
        } catch {
            throw Problem(.invalidBody, error.message, fieldErrors: error.fieldErrors)
        }
    }

    /// Accepts `application/json` and `application/<anything>+json`, with parameters such as charset.
    static func requireJSON(_ request: Request) throws(Problem) {
        let mediaType = (request.headers[.contentType] ?? "").split(separator: ";").first
            .map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        guard mediaType == "application/json" || (mediaType.hasPrefix("application/") && mediaType.hasSuffix("+json")) else {
            throw Problem(.unsupportedMediaType, "send the body as application/json")
        }
    }
}
