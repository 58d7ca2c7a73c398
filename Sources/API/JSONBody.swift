import Foundation
import HTTPTypes
import Hummingbird

/// JSON responses: sorted keys, unescaped slashes, the content type set.
enum JSONBody {
    static func encode(_ value: some Encodable) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            return try encoder.encode(value)
        } catch {
            preconditionFailure("API documents hold only strings, numbers, arrays and objects: \(error)")
        }
    }

    static func response(_ status: HTTPResponse.Status, _ data: Data, contentType: String = "application/json",
                         headers: HTTPFields = [:]) -> Response {
        var fields = headers
        fields[.contentType] = contentType
        return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func response(_ status: HTTPResponse.Status, _ value: some Encodable, headers: HTTPFields = [:]) -> Response {
        response(status, encode(value), headers: headers)
    }
}
