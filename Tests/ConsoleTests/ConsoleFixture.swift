import Console
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Payments
import Pipeline
import SQLiteStore
import Synchronization
import TestSupport

/// A ledger with something on every console page (a sent file, payments, a quarantined bank file,
/// one operator per role), and the console over it on a clock the test moves.
struct ConsoleFixture {
    let database: TemporaryDatabase
    let store: SQLiteStore
    let archive: Archive
    let merchant: Merchant
    let file: OutboundFile
    let payment: Payment
    let bankFile: InboundFile
    let clock: TestClock
    let console: Console
    let configuration: ConsoleConfiguration

    /// One operator per role, each named for it; their passwords are `password(of:)`.
    static let people: [(name: String, role: OperatorRole)] = [("olga", .operator), ("april", .approver), ("audrey", .auditor), ("adam", .admin)]
    static func password(of name: String) -> String { "pw-\(name)-long-enough" }

    init(configure: (inout ConsoleConfiguration) -> Void = { _ in }) async throws {
        database = try TemporaryDatabase()
        let store = try database.store()
        self.store = store
        archive = Archive(root: database.directory.appendingPathComponent("archive").path)
        let merchant = try await store.fundedMerchant(100_000_000)
        self.merchant = merchant
        // The admin first (the first operator must be one), then the others, enrolled by the admin.
        var admin: Operator?
        for (name, role) in Self.people.reversed() {
            let person = try await store.enroll(name: name, roles: [role], email: nil, password: Self.password(of: name), by: admin, at: Date())
            if role == .admin { admin = person }
        }
        _ = try await AuditActing.$actor.withValue(Actor(rawValue: "olga")) {
            try await store.intake((0..<3).map { try Requests.intake(merchant, Self.credit(1_000 + Int64($0))) })
        }
        let profile = try BankProfile(odfiRouting: "121042882", immediateDestination: "091000019", originName: "METL TEST BANK",
                                      destinationName: "FEDERAL RESERVE BANK")
        let bank = database.directory.appendingPathComponent("bank")
        try FileManager.default.createDirectory(at: bank, withIntermediateDirectories: true)
        let settings = CutoffJob.Settings(profile: profile, destination: LocalDirectoryDestination(directory: bank.path), archive: archive,
                                          window: .seconds(30), filenameTemplate: FilenameTemplate("ACH_{origin}_{yyyyMMdd}_{modifier}_{id}.ach"))
        _ = try await CutoffJob(settings: settings, store: store, logger: TestLog.logger()).run()
        file = try await store.outboundFiles(statuses: nil)[0]
        // One more payment after the cutoff, still P_VALIDATED: cancellable.
        _ = try await store.intake([try Requests.intake(merchant, Self.credit(4_321))])
        payment = try await store.payments(PaymentQuery(state: .validated))[0]
        let bytes = Array("not a bank file\n".utf8)
        let path = try archive.store(bytes, kind: "inbound", extension: "txt")
        bankFile = InboundFile(id: Identifier.make(prefix: InboundFile.idPrefix), sha256: Archive.sha256(bytes), kind: .nacha, source: "test",
                               name: "RETURNS.ach", size: Int64(bytes.count), status: .quarantined, reason: "not NACHA", archivePath: path,
                               receivedAt: Date())
        try await store.recordInbound(bankFile)
        clock = TestClock()
        var configuration = ConsoleConfiguration()
        configuration.archive = archive
        configuration.clock = { [clock] in clock.now }
        configure(&configuration)
        self.configuration = configuration
        console = try Console(store: store, configuration: configuration, logger: TestLog.logger())
    }

    /// The console alone on a router, as `metl serve` adds it beside the API.
    func application() -> some ApplicationProtocol {
        let router = Router(context: BasicRequestContext.self)
        router.addRoutes(console.routes(context: BasicRequestContext.self))
        return Application(router: router)
    }

    /// The account number of every payment here: no id, amount or hash on a page contains it by chance.
    static let accountNumber = "98765432101"

    static func credit(_ cents: Int64) -> PaymentRequest {
        var request = Requests.credit(amount: cents)
        request.counterparty.accountNumber = accountNumber
        return request
    }

    /// A signed-in browser: its session cookie and the CSRF token its forms carry.
    struct Browser {
        var cookie: String
        var csrf: String

        var headers: HTTPFields {
            var fields: HTTPFields = [:]
            fields[.cookie] = "metl_session=\(cookie)"
            return fields
        }
    }

    /// Signs `name` in through the sign-in form, as a browser does.
    static func signIn(_ client: some TestClientProtocol, _ name: String, password: String? = nil, code: String? = nil) async throws -> Browser? {
        let page = try await client.execute(uri: "/console/sign-in", method: .get)
        guard let token = cookie(page, "metl_sign_in") else { return nil }
        var headers: HTTPFields = [:]
        headers[.cookie] = "metl_sign_in=\(token)"
        headers[.contentType] = "application/x-www-form-urlencoded"
        let form = "csrf=\(token)&operator=\(name)&password=\(password ?? Self.password(of: name))" + (code.map { "&totp=\($0)" } ?? "")
        let answer = try await client.execute(uri: "/console/sign-in", method: .post, headers: headers, body: ByteBuffer(string: form))
        guard answer.status == .seeOther, let session = cookie(answer, "metl_session") else { return nil }
        var browser = Browser(cookie: session, csrf: "")
        let account = try await client.execute(uri: "/console/account", method: .get, headers: browser.headers)
        browser.csrf = Self.csrf(in: String(buffer: account.body)) ?? ""
        return browser
    }

    static func cookie(_ response: TestResponse, _ name: String) -> String? {
        for value in response.headers[values: .setCookie] where value.hasPrefix(name + "=") {
            let token = value.dropFirst(name.count + 1).prefix { $0 != ";" }
            if !token.isEmpty { return String(token) }
        }
        return nil
    }

    static func csrf(in page: String) -> String? {
        guard let range = page.range(of: #"name="csrf" value=""#) else { return nil }
        return String(page[range.upperBound...].prefix { $0 != "\"" })
    }

    /// A POST of `form` (with the browser's CSRF token unless `csrf` says otherwise).
    static func post(_ client: some TestClientProtocol, _ uri: String, _ browser: Browser?, form: String = "", csrf: String? = nil) async throws -> TestResponse {
        var headers = browser?.headers ?? [:]
        headers[.contentType] = "application/x-www-form-urlencoded"
        let token = csrf ?? browser?.csrf ?? ""
        return try await client.execute(uri: uri, method: .post, headers: headers,
                                        body: ByteBuffer(string: (token.isEmpty ? "" : "csrf=\(token)&") + form))
    }
}

/// A clock tests move forward.
final class TestClock: Sendable {
    private let instant = Mutex(Date())
    var now: Date { instant.withLock { $0 } }
    func advance(_ seconds: TimeInterval) { instant.withLock { $0 = $0.addingTimeInterval(seconds) } }
}
