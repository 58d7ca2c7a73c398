import Foundation
import HTTPTypes
import Hummingbird
import Payments

/// JSON responses (`DocumentJSON`) with their content type set.
enum JSONBody {
    static func response(_ status: HTTPResponse.Status, _ data: Data, contentType: String = "application/json",
                         headers: HTTPFields = [:]) -> Response {
        var fields = headers
        fields[.contentType] = contentType
        return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func response(_ status: HTTPResponse.Status, _ value: some Encodable, headers: HTTPFields = [:]) -> Response {
        response(status, DocumentJSON.encode(value), headers: headers)
    }
}
