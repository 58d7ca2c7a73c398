import Foundation
import HTTPTypes

/// What a console handler answers: a status, headers and bytes. The gate adds the security headers.
struct ConsoleReply: Sendable {
    var status: HTTPResponse.Status = .ok
    var headers: HTTPFields = [:]
    var body: [UInt8] = []

    static func html(_ text: String, status: HTTPResponse.Status = .ok) -> ConsoleReply {
        var reply = ConsoleReply(status: status, body: Array(text.utf8))
        reply.headers[.contentType] = "text/html; charset=utf-8"
        return reply
    }

    /// 303 See Other to `path`: after a form, the browser reads the page again with GET.
    static func redirect(_ path: String) -> ConsoleReply {
        var reply = ConsoleReply(status: .seeOther)
        reply.headers[.location] = path
        return reply
    }

    static func download(_ bytes: [UInt8], name: String, type: String = "application/octet-stream") -> ConsoleReply {
        var reply = ConsoleReply(body: bytes)
        reply.headers[.contentType] = type
        // Only the characters a file name of metl's may hold reach the header.
        let safe = String(name.unicodeScalars.filter { $0.isASCII && ($0.properties.isAlphabetic || "0123456789._-".unicodeScalars.contains($0)) })
        reply.headers[.contentDisposition] = "attachment; filename=\"\(safe)\""
        return reply
    }

    /// `name=value` for the session cookie: path-scoped to the console, never readable by script,
    /// never sent cross-site, `Secure` over TLS. A nil value deletes it.
    mutating func setCookie(_ name: String, _ value: String?, secure: Bool) {
        var cookie = "\(name)=\(value ?? ""); Path=/console; HttpOnly; SameSite=Strict"
        if value == nil { cookie += "; Max-Age=0" }
        if secure { cookie += "; Secure" }
        headers.append(HTTPField(name: .setCookie, value: cookie))
    }
}

/// A refusal the console shows as a page with its status.
struct ConsoleError: Error, Sendable {
    var status: HTTPResponse.Status
    var message: String

    static func notFound(_ message: String) -> ConsoleError { ConsoleError(status: .notFound, message: message) }
    static func badRequest(_ message: String) -> ConsoleError { ConsoleError(status: .badRequest, message: message) }
    static func forbidden(_ message: String) -> ConsoleError { ConsoleError(status: .forbidden, message: message) }
}
