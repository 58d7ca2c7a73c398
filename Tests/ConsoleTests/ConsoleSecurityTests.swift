import API
import Console
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Payments
import Testing
import TestSupport

@Suite struct ConsoleSecurityTests {
    /// The table's own promises: an auditor acts on nothing, only approvers decide, only operators
    /// move money, only admins change people, and files with full account numbers are not an auditor's.
    @Test func theRouteTableKeepsRolesApart() {
        let posts = ConsoleRoute.all.filter { $0.method == .post && $0 != .signIn && $0 != .signOut && $0 != .changePassword && $0 != .enrolTOTP }
        #expect(posts.allSatisfy { !$0.allows([.auditor]) })
        #expect(ConsoleRoute.all.filter { $0.allows([.approver]) && !$0.allows([.operator]) && $0.method == .post }
            .allSatisfy { [.approve, .reject, .revealAccount].contains($0) })
        for route in [ConsoleRoute.approve, .reject] { #expect(route.allows([.approver]) && !route.allows([.operator, .admin, .auditor])) }
        for route in [ConsoleRoute.cancelFile, .retryFile, .cancelPayment, .dismissBankFile, .decideException, .replayEvent] {
            #expect(route.allows([.operator]) && !route.allows([.approver, .admin, .auditor]))
        }
        for route in [ConsoleRoute.addOperator, .changeOperator] { #expect(route.allows([.admin]) && !route.allows([.operator, .approver, .auditor])) }
        #expect(!ConsoleRoute.downloadFile.allows([.auditor]) && !ConsoleRoute.revealAccount.allows([.auditor]))
        #expect(ConsoleRoute.all.filter { $0.method == .get && $0 != .downloadFile && $0 != .verifyAudit && $0 != .operatorList }
            .allSatisfy { $0.allows([.auditor]) })
    }

    @Test func aFormWithoutItsTokenIsRefusedAndChangesNothing() async throws {
        let fixture = try await ConsoleFixture()
        try await fixture.application().test(.router) { client in
            let olga = try #require(await ConsoleFixture.signIn(client, "olga"))
            let uri = "/console/payments/\(fixture.payment.id)/cancel"
            for token in ["", "forged-token", String(olga.csrf.reversed())] {
                let response = try await ConsoleFixture.post(client, uri, olga, form: "reason=test", csrf: token.isEmpty ? "" : token)
                #expect(response.status == .forbidden)
                #expect(String(buffer: response.body).contains("security token"))
            }
            #expect(try await fixture.store.payment(id: fixture.payment.id).state == .validated)
            // Another person's token is no better.
            let adam = try #require(await ConsoleFixture.signIn(client, "adam"))
            #expect(try await ConsoleFixture.post(client, uri, olga, form: "reason=test", csrf: adam.csrf).status == .forbidden)
            // With its token the same form works.
            let done = try await ConsoleFixture.post(client, uri, olga, form: "reason=customer+asked")
            #expect(done.status == .seeOther)
            let cancelled = try await fixture.store.payment(id: fixture.payment.id)
            #expect(cancelled.state == .failed)
            #expect(try await fixture.store.history(paymentID: cancelled.id).last?.actor.rawValue == "olga")
        }
    }

    @Test func everyAnswerCarriesTheSecurityHeadersAndTheCookieIsLockedDown() async throws {
        for secure in [false, true] {
            let fixture = try await ConsoleFixture { $0.secure = secure }
            try await fixture.application().test(.router) { client in
                let signIn = try await client.execute(uri: "/console/sign-in", method: .get)
                let olga = try #require(await ConsoleFixture.signIn(client, "olga"))
                for response in [signIn, try await client.execute(uri: "/console/today", method: .get, headers: olga.headers),
                                 try await client.execute(uri: "/console/nowhere", method: .get)] {
                    let policy = response.headers[.contentSecurityPolicy] ?? ""
                    #expect(policy.contains("default-src 'none'") && policy.contains("frame-ancestors 'none'") && !policy.contains("unsafe-inline"))
                    #expect(response.headers[HTTPField.Name("X-Frame-Options")!] == "DENY")
                    #expect(response.headers[HTTPField.Name("Referrer-Policy")!] == "no-referrer")
                    #expect(response.headers[.cacheControl] == "no-store")
                    #expect((response.headers[.strictTransportSecurity] != nil) == secure)
                }
                #expect(try await client.execute(uri: "/console/nowhere", method: .get).status == .notFound)
                // The session cookie as sign-in sets it.
                let page = try await client.execute(uri: "/console/sign-in", method: .get)
                let token = try #require(ConsoleFixture.cookie(page, "metl_sign_in"))
                var headers: HTTPFields = [.cookie: "metl_sign_in=\(token)", .contentType: "application/x-www-form-urlencoded"]
                headers[.accept] = "text/html"
                let answer = try await client.execute(uri: "/console/sign-in", method: .post, headers: headers,
                                                      body: ByteBuffer(string: "csrf=\(token)&operator=olga&password=\(ConsoleFixture.password(of: "olga"))"))
                let cookie = try #require(answer.headers[values: .setCookie].first { $0.hasPrefix("metl_session=") })
                #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.contains("Path=/console"))
                #expect(cookie.contains("Secure") == secure)
            }
        }
    }

    @Test func refusedSignInsLockTheNameOutAndAreRecorded() async throws {
        let fixture = try await ConsoleFixture()
        try await fixture.application().test(.router) { client in
            for _ in 0..<5 { #expect(try await ConsoleFixture.signIn(client, "april", password: "wrong") == nil) }
            // Locked out: the right password is refused too, and the page says until when.
            #expect(try await ConsoleFixture.signIn(client, "april") == nil)
            let page = try await client.execute(uri: "/console/sign-in", method: .get)
            let token = try #require(ConsoleFixture.cookie(page, "metl_sign_in"))
            let answer = try await client.execute(
                uri: "/console/sign-in", method: .post,
                headers: [.cookie: "metl_sign_in=\(token)", .contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "csrf=\(token)&operator=april&password=\(ConsoleFixture.password(of: "april"))"))
            #expect(answer.status == .unauthorized)
            #expect(String(buffer: answer.body).contains("Too many refused sign-ins"))
            // Other names are not locked out; after the lock-out the right password works.
            #expect(try await ConsoleFixture.signIn(client, "olga") != nil)
            fixture.clock.advance(16 * 60)
            #expect(try await ConsoleFixture.signIn(client, "april") != nil)
        }
        let entries = try await fixture.store.auditEntries(after: 0, limit: 1_000)
        #expect(entries.filter { $0.action == .signInRefused }.count == 5)
        #expect(entries.contains { $0.action == .signInRefused && $0.detail.contains("locked out until") })
        #expect(entries.filter { $0.action == .signedIn }.map(\.actor) == ["olga", "april"])
        #expect(try await fixture.store.verifyAuditLog().holds)
    }

    /// Sessions live in the database: a browser signed in through one server is known to another
    /// on the same database (and to a restarted one), with its CSRF token and the notice of its last
    /// action; signing out on one ends it on both.
    @Test func aSessionStartedOnOneServerIsKnownToAnotherAndEndsOnBoth() async throws {
        let fixture = try await ConsoleFixture()
        let other = try Console(store: fixture.store, configuration: fixture.configuration, logger: TestLog.logger())
        let router = Router(context: BasicRequestContext.self)
        router.addRoutes(other.routes(context: BasicRequestContext.self))
        let second = Application(router: router)
        let olga = try await fixture.application().test(.router) { client in try await ConsoleFixture.signIn(client, "olga") }
        let browser = try #require(olga)
        try await second.test(.router) { client in
            #expect(try await client.execute(uri: "/console/today", method: .get, headers: browser.headers).status == .ok)
            // A form of the first server's page, sent to the second: the same CSRF token holds, and the notice follows.
            let cancelled = try await ConsoleFixture.post(client, "/console/payments/\(fixture.payment.id)/cancel", browser, form: "reason=wrong+day")
            #expect(cancelled.status == .seeOther)
            let page = String(buffer: try await client.execute(uri: "/console/payments/\(fixture.payment.id)", method: .get, headers: browser.headers).body)
            #expect(page.contains("role=\"status\">cancelled \(fixture.payment.id): now P_FAILED</p>"), "the action's notice shows on the next page")
            let again = String(buffer: try await client.execute(uri: "/console/payments/\(fixture.payment.id)", method: .get, headers: browser.headers).body)
            #expect(!again.contains("role=\"status\""), "once")
            #expect(try await ConsoleFixture.post(client, "/console/sign-out", browser).status == .seeOther)
        }
        try await fixture.application().test(.router) { client in
            let after = try await client.execute(uri: "/console/today", method: .get, headers: browser.headers)
            #expect(after.status == .seeOther && after.headers[.location] == "/console/sign-in", "signed out on the other server too")
        }
    }

    /// Refused sign-ins are counted in the database: refusals on one server lock the name out on another.
    @Test func aLockOutOnOneServerHoldsOnAnother() async throws {
        let fixture = try await ConsoleFixture()
        let other = try Console(store: fixture.store, configuration: fixture.configuration, logger: TestLog.logger())
        let router = Router(context: BasicRequestContext.self)
        router.addRoutes(other.routes(context: BasicRequestContext.self))
        try await fixture.application().test(.router) { client in
            for _ in 0..<5 {
                let refused = try await ConsoleFixture.signIn(client, "april", password: "wrong")
                #expect(refused == nil)
            }
        }
        try await Application(router: router).test(.router) { client in
            let locked = try await ConsoleFixture.signIn(client, "april")
            #expect(locked == nil, "locked out here too")
            fixture.clock.advance(16 * 60)
            let later = try await ConsoleFixture.signIn(client, "april")
            #expect(later != nil)
        }
    }

    @Test func anIdleSessionEndsAndADisabledOperatorIsSignedOut() async throws {
        let fixture = try await ConsoleFixture()
        try await fixture.application().test(.router) { client in
            let olga = try #require(await ConsoleFixture.signIn(client, "olga"))
            fixture.clock.advance(29 * 60)
            #expect(try await client.execute(uri: "/console/today", method: .get, headers: olga.headers).status == .ok)
            fixture.clock.advance(29 * 60)
            #expect(try await client.execute(uri: "/console/today", method: .get, headers: olga.headers).status == .ok)
            fixture.clock.advance(31 * 60)
            let expired = try await client.execute(uri: "/console/today", method: .get, headers: olga.headers)
            #expect(expired.status == .seeOther && expired.headers[.location] == "/console/sign-in")

            let april = try #require(await ConsoleFixture.signIn(client, "april"))
            let adam = try #require(await ConsoleFixture.signIn(client, "adam"))
            #expect(try await ConsoleFixture.post(client, "/console/operators/april/change", adam, form: "action=disable").status == .seeOther)
            let after = try await client.execute(uri: "/console/today", method: .get, headers: april.headers)
            #expect(after.status == .seeOther && after.headers[.location] == "/console/sign-in")
            #expect(try await ConsoleFixture.signIn(client, "april") == nil)
        }
    }

    @Test func aRevealIsForApproversAndAdminsAndIsRecorded() async throws {
        let fixture = try await ConsoleFixture()
        let full = fixture.payment.counterparty.accountNumber
        try await fixture.application().test(.router) { client in
            let audrey = try #require(await ConsoleFixture.signIn(client, "audrey"))
            let masked = try await client.execute(uri: "/console/payments/\(fixture.payment.id)", method: .get, headers: audrey.headers)
            #expect(!String(buffer: masked.body).contains(full) && String(buffer: masked.body).contains(fixture.payment.counterparty.maskedAccountNumber))
            #expect(try await ConsoleFixture.post(client, "/console/payments/\(fixture.payment.id)/reveal", audrey).status == .forbidden)
            let april = try #require(await ConsoleFixture.signIn(client, "april"))
            let revealed = try await ConsoleFixture.post(client, "/console/payments/\(fixture.payment.id)/reveal", april)
            #expect(revealed.status == .ok && String(buffer: revealed.body).contains(full))
            // Pages that list files never show a full account number.
            let file = try await client.execute(uri: "/console/files/\(fixture.file.id)", method: .get, headers: april.headers)
            #expect(file.status == .ok && !String(buffer: file.body).contains(full))
        }
        let reveals = try await fixture.store.auditEntries(after: 0, limit: 1_000).filter { $0.action == .accountRevealed }
        #expect(reveals.map(\.actor) == ["april"] && reveals.first?.subjects == [fixture.payment.id])
    }

    /// Merchant API keys never open the console, and an operator's session never calls the merchant API.
    @Test func apiKeysAndSessionsStayInTheirOwnHalves() async throws {
        let fixture = try await ConsoleFixture()
        let key = try await fixture.store.createAPIKey(merchantID: fixture.merchant.id).secret
        let application = APIServer.buildApplication(store: fixture.store, additionalRoutes: [fixture.console.routes(context: APIRequestContext.self)],
                                                     logger: Logger(label: "metl.api.test") { _ in SwiftLogNoOpLogHandler() })
        try await application.test(.router) { client in
            let withKey = try await client.execute(uri: "/console/today", method: .get, headers: [.authorization: "Bearer \(key)"])
            #expect(withKey.status == .seeOther && withKey.headers[.location] == "/console/sign-in")
            #expect(try await client.execute(uri: "/payments", method: .get, headers: [.authorization: "Bearer \(key)"]).status == .ok)
            let olga = try #require(await ConsoleFixture.signIn(client, "olga"))
            #expect(try await client.execute(uri: "/payments", method: .get, headers: olga.headers).status == .unauthorized)
            #expect(try await client.execute(uri: "/console/today", method: .get, headers: olga.headers).status == .ok)
        }
    }

    /// Hostile or malformed requests get a page with a clear status, never a crash or a change.
    @Test func hostileRequestsGetAnAnswerAndChangeNothing() async throws {
        let fixture = try await ConsoleFixture()
        try await fixture.application().test(.router) { client in
            let olga = try #require(await ConsoleFixture.signIn(client, "olga"))
            let huge = try await ConsoleFixture.post(client, "/console/payments/\(fixture.payment.id)/cancel", olga,
                                                     form: "reason=" + String(repeating: "x", count: 100_000))
            #expect(huge.status == .contentTooLarge)
            for (uri, status) in [("/console/payments?min=abc", HTTPResponse.Status.badRequest), ("/console/payments?trace=%ZZ", .badRequest),
                                  ("/console/payments?state=%00", .badRequest), ("/console/audit?before=-5", .badRequest),
                                  ("/console/files?status=lost", .badRequest), ("/console/files?cursor=%FF%FE", .ok),
                                  ("/console/payments?from=2026-13-45", .badRequest), ("/console/payments/pay_%2e%2e%2f", .notFound),
                                  ("/console/files/nothing", .notFound), ("/console/bank-files/inb_none", .notFound)] {
                let response = try await client.execute(uri: uri, method: .get, headers: olga.headers)
                #expect(response.status == status, "\(uri): \(response.status)")
                #expect(response.headers[.contentType]?.hasPrefix("text/html") == true)
            }
            let forged = try await client.execute(uri: "/console/today", method: .get, headers: [.cookie: "metl_session=\(String(repeating: "%", count: 4_000))"])
            #expect(forged.status == .seeOther && forged.headers[.location] == "/console/sign-in")
            var headers = olga.headers
            headers[.contentType] = "application/x-www-form-urlencoded"
            let garbage = try await client.execute(uri: "/console/payments/\(fixture.payment.id)/cancel", method: .post, headers: headers,
                                                   body: ByteBuffer(bytes: [0xFF, 0x00, 0x26, 0x3D, 0x3D, 0x25]))
            #expect(garbage.status == .forbidden)
        }
        #expect(try await fixture.store.payment(id: fixture.payment.id).state == .validated)
    }
}
