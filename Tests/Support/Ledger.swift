import Foundation
import GRDB
import NACHA
import Payments
import SQLiteStore

/// A fresh database file in its own temporary directory.
public struct TemporaryDatabase: Sendable {
    public let directory: URL
    public var path: String { directory.appendingPathComponent("metl.sqlite").path }

    public init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("metl-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    public func store(faults: FaultInjector = .none) throws -> SQLiteStore {
        TestLog.bootstrap
        return try SQLiteStore(path: path, faults: faults)
    }
}

extension TemporaryDatabase: StoreDatabase {
    public func open(faults: FaultInjector) async throws -> any LedgerStore { try store(faults: faults) }

    public func tamper(_ sql: String) async throws { try await Self.tamper(databaseAt: path, sql) }

    /// Runs `sql` on the SQLite database at `path` behind metl's back, as someone with the file could.
    public static func tamper(databaseAt path: String, _ sql: String) async throws {
        try await DatabaseQueue(path: path).write { try $0.execute(sql: sql) }
    }
}

/// A fresh, empty database of one store implementation. Every `open` is another connection to it,
/// as another process or machine would have.
public protocol StoreDatabase: Sendable {
    func open(faults: FaultInjector) async throws -> any LedgerStore
    /// Runs `sql` behind the store's back: what a hand edit, or another version of metl, leaves.
    func tamper(_ sql: String) async throws
}

extension StoreDatabase {
    public func open() async throws -> any LedgerStore { try await open(faults: .none) }
}

/// A store implementation the contract suite runs against.
public struct StoreImplementation: Sendable, CustomStringConvertible {
    public let description: String
    public let makeDatabase: @Sendable () async throws -> any StoreDatabase

    public static let sqlite = StoreImplementation(description: "SQLite") { try TemporaryDatabase() }
    public static let postgres = StoreImplementation(description: "PostgreSQL") { try await TemporaryPostgresDatabase() }
    /// Every implementation the contract tests take in turn: PostgreSQL when a test server is there
    /// (`TestPostgres`; `PostgresServerTests` says when it is skipped).
    public static let all: [StoreImplementation] = TestPostgres.isAvailable ? [.sqlite, .postgres] : [.sqlite]
}

/// Payment requests and intakes for tests.
public enum Requests {
    /// An effective date intake accepts whenever the tests run: tomorrow.
    public static var effectiveDate: String { ACHDate.today().adding(days: 1).description }
    public static var today: String { ACHDate.today().description }

    public static func credit(amount: Int64 = 125_000, name: String = "JANE DOE", direction: String = "credit") -> PaymentRequest {
        PaymentRequest(amount: amount, direction: direction, secCode: "PPD", description: "PAYROLL", effectiveDate: effectiveDate,
                       counterparty: .init(name: name, routingNumber: "121042882", accountNumber: "12345678",
                                           accountType: "checking"),
                       metadata: ["invoice": "INV-1"])
    }

    public static func intake(_ merchant: Merchant, key: String = UUID().uuidString, _ request: PaymentRequest = credit()) throws -> PaymentIntake {
        PaymentIntake(merchantID: merchant.id, idempotencyKey: key.lowercased(), request: try request.validate(rules: PaymentRules()),
                      actor: .cli)
    }
}

extension PaymentStore {
    public func fundedMerchant(_ cents: Int64, name: String = "acme") async throws -> Merchant {
        let merchant = try await addMerchant(name: name, companyID: "1234567890", companyName: "ACME CORP")
        return try await fund(merchantID: merchant.id, amount: cents, actor: .operator, reference: "test")
    }
}

/// Check accounts and issues for tests.
public enum Checks {
    public static func account(_ store: any LedgerStore, merchant: Merchant, layout: PositivePayLayout = .arp,
                               payeeMatch: Bool = false, accountNumber: String = "000123456789") async throws -> CheckAccount {
        try await store.addCheckAccount(try CheckAccount.enrol(merchantID: merchant.id, routingNumber: "121042882",
                                                               accountNumber: accountNumber, layout: layout, payeeMatch: payeeMatch))
    }

    public static func request(_ account: CheckAccount, serial: String = "10001", amount: Int64 = 12_345,
                               payee: String? = "JANE DOE") -> CheckIssueRequest {
        CheckIssueRequest(accountID: account.id, serial: serial, amount: amount, issueDate: ACHDate.today().description, payee: payee)
    }

    public static func intake(_ account: CheckAccount, key: String = UUID().uuidString, _ request: CheckIssueRequest) throws -> CheckIntake {
        CheckIntake(merchantID: account.merchantID, idempotencyKey: key, check: try request.validate(for: account, rules: CheckRules()),
                    actor: .cli)
    }

    /// Issues one check and returns it as stored.
    public static func issue(_ store: any LedgerStore, _ account: CheckAccount, serial: String = "10001", amount: Int64 = 12_345,
                             key: String = UUID().uuidString) async throws -> CheckIssue {
        try await store.issueChecks([intake(account, key: key, request(account, serial: serial, amount: amount))])[0].check
    }
}
