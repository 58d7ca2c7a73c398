import Foundation
import Payments

/// One request as a console page sees it: who (their session, as the store has them now), the
/// path's parameters, the query and, for a POST, the form, its CSRF token already checked.
struct ConsoleRequest: Sendable {
    let route: ConsoleRoute
    let path: String
    let query: [String: String]
    let form: [String: String]
    let parameters: [String: String]
    let session: OperatorSession?
    let person: Operator?
    let cookies: [String: String]
    let now: Date

    func parameter(_ name: String) throws(ConsoleError) -> String {
        guard let value = parameters[name], !value.isEmpty else { throw .badRequest("the address names no \(name)") }
        return value
    }

    /// A filter from the query, nil when absent or blank.
    func filter(_ name: String) -> String? {
        guard let value = query[name]?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        return value
    }

    func field(_ name: String) -> String? {
        guard let value = form[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else { return nil }
        return value
    }

    func requiredField(_ name: String, _ what: String) throws(ConsoleError) -> String {
        guard let value = field(name) else { throw .badRequest("fill in \(what)") }
        return value
    }

    /// The signed-in operator; the gate guarantees one on every route that needs a role.
    var signedIn: Operator {
        get throws(ConsoleError) {
            guard let person else { throw .forbidden("sign in first") }
            return person
        }
    }

    func may(_ role: OperatorRole) -> Bool { person?.may(role) ?? false }

    /// Where a form sends the browser back to: its `back` field when it is a console page, else `fallback`.
    func back(or fallback: String) -> String {
        guard let back = field("back"), back.hasPrefix("/console"), !back.hasPrefix("//"), !back.contains("\\") else { return fallback }
        return back
    }
}
