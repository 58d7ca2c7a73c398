import Console
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Payments
import Testing

/// Every console route for every role and for no session: the allowed ones answer (a page, a
/// download, or a form's redirect back to the console), the rest are 403, or, without a session, a
/// redirect to sign-in (GET) or 403 (POST).
@Suite struct RouteRoleTests {
    @Test func everyRouteForEveryRoleAndNoSession() async throws {
        var secretsKey = [UInt8](repeating: 0, count: 32)
        for index in secretsKey.indices { secretsKey[index] = .random(in: 0...255) }
        let sealing = try SealedSecret(keyFile: secretsKey)
        let fixture = try await ConsoleFixture { $0.secrets = sealing }
        let roles: [OperatorRole?] = [nil] + OperatorRole.allCases
        let (checked, failures) = try await fixture.application().test(.router) { client in
            var checked = 0
            var failures: [String] = []
            var browsers: [OperatorRole: ConsoleFixture.Browser] = [:]
            for (name, role) in ConsoleFixture.people {
                browsers[role] = try #require(await ConsoleFixture.signIn(client, name))
            }
            // Sign-out ends the session it is sent with: it goes last.
            let routes = ConsoleRoute.all.filter { $0 != .signOut } + [.signOut]
            for route in routes {
                for role in roles {
                    let browser = role.flatMap { browsers[$0] }
                    let name = role.flatMap { role in ConsoleFixture.people.first { $0.role == role }?.name }
                    let uri = Self.uri(route, fixture)
                    let response: TestResponse
                    if route.method == .post {
                        // Every form carries the person's password, for the forms that confirm it.
                        response = try await ConsoleFixture.post(client, uri, browser,
                                                                 form: "password=\(name.map(ConsoleFixture.password(of:)) ?? "")&back=/console/today")
                    } else {
                        response = try await client.execute(uri: uri, method: .get, headers: browser?.headers ?? [:])
                    }
                    checked += 1
                    let allowed = route.allows(role.map { [$0] })
                    let location = response.headers[.location] ?? ""
                    let outcome = "\(route) as \(role?.rawValue ?? "no session"): \(response.status.code) \(location)"
                    if route == .signIn {
                        // Anyone may try; this form's token is the sign-in cookie's, which a session's form lacks.
                        if response.status != .forbidden { failures.append(outcome + " (expected the sign-in form's token check)") }
                    } else if route == .signOut, role != nil {
                        if !(response.status == .seeOther && location == ConsoleRoute.signInPage.path) { failures.append(outcome) }
                    } else if allowed {
                        let answered = response.status == .ok || (response.status == .seeOther && location.hasPrefix("/console")
                                                                  && location != ConsoleRoute.signInPage.path)
                        if !answered { failures.append(outcome + " (allowed)") }
                    } else if role == nil, route.method == .get {
                        if !(response.status == .seeOther && location == ConsoleRoute.signInPage.path) { failures.append(outcome + " (expected sign-in)") }
                    } else if response.status != .forbidden {
                        failures.append(outcome + " (expected 403)")
                    }
                }
            }
            // After sign-out, the session opens nothing.
            for browser in browsers.values {
                let after = try await client.execute(uri: "/console/today", method: .get, headers: browser.headers)
                #expect(after.status == .seeOther && after.headers[.location] == ConsoleRoute.signInPage.path)
            }
            return (checked, failures)
        }
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
        #expect(checked == ConsoleRoute.all.count * 5)
        #expect(ConsoleRoute.all.count >= 33)
    }

    /// The route's path with real items where it names one.
    static func uri(_ route: ConsoleRoute, _ fixture: ConsoleFixture) -> String {
        var path = route.path
        if path.hasPrefix("/console/files/") { path = path.replacingOccurrences(of: ":id", with: fixture.file.id) }
        if path.hasPrefix("/console/payments/") { path = path.replacingOccurrences(of: ":id", with: fixture.payment.id) }
        if path.hasPrefix("/console/bank-files/") { path = path.replacingOccurrences(of: ":id", with: fixture.bankFile.id) }
        if path.hasPrefix("/console/approvals/") { path = path.replacingOccurrences(of: ":id", with: fixture.payment.id) }
        if path.hasPrefix("/console/positive-pay/") { path = path.replacingOccurrences(of: ":id", with: "exc_none") }
        if path.hasPrefix("/console/webhooks/") { path = path.replacingOccurrences(of: ":id", with: "evt_none") }
        return path.replacingOccurrences(of: ":name", with: "olga")
    }
}
