import Foundation
import Logging
import Payments
import NIOSSL
import PostgresNIO
import ServiceLifecycle

/// The `LedgerStore` on a PostgreSQL database, for several metl instances (API servers, webhook
/// workers, cutoffs and ingests on any host) sharing one database. It persists what Payments plans
/// and decides nothing, like `SQLiteStore`, and passes the same contract suite.
///
/// **Isolation: READ COMMITTED with explicit row locks.** Operations that read, plan and write in one
/// transaction (intake, transitions, funding, upload confirmation, cancel, publishing an import) lock
/// what their plan depends on first (`SELECT … FOR UPDATE`; idempotency keys by advisory locks on
/// their hashes, then merchants in id order, so two writers never wait on each other in a cycle),
/// which gives them what SQLite's IMMEDIATE
/// transaction gives: no read can go stale before the commit. Plans computed by the caller (a bank
/// file's effects, a rendered file's bindings) rely on the plan's version checks, which an UPDATE
/// re-evaluates on the newest row version after waiting for its lock. SERIALIZABLE would also be
/// correct, but it aborts a 100,000-payment plan on any predicate overlap with an unrelated writer
/// and redoes all of it; here a transaction only waits for the rows it actually shares. A deadlock
/// or serialization failure the server still reports is retried a bounded number of times, logged.
/// Funds never go negative: every balance change is a conditional UPDATE, and a CHECK constraint
/// refuses an overdraft regardless.
///
/// The store runs its `PostgresClient` (a connection pool) from `connect` until `close()`, or until
/// the store is released; `run()` makes it a ServiceLifecycle service that closes the pool on
/// graceful shutdown.
public final class PostgresStore: PaymentStore, Service {
    let client: PostgresClient
    let faults: FaultInjector
    let logger: Logger
    private let runner: Task<Void, Never>

    /// How many times a transaction the server aborted (deadlock, serialization failure) runs again.
    static let retries = 5

    private init(client: PostgresClient, faults: FaultInjector, logger: Logger) {
        self.client = client
        self.faults = faults
        self.logger = logger
        runner = Task { await client.run() }
    }

    /// Connects to the database at `location`, brings its schema up to date (under a migration lock,
    /// so instances starting at once do not race) and returns the store, its pool running.
    public static func connect(_ location: PostgresLocation, maximumConnections: Int = 20, faults: FaultInjector = .none,
                               logger: Logger = Logger(label: "metl.store")) async throws -> PostgresStore {
        var configuration = location.clientConfiguration()
        configuration.options.maximumConnections = maximumConnections
        // The pool starts running now, while the schema is brought up to date.
        let store = PostgresStore(client: PostgresClient(configuration: configuration, backgroundLogger: logger),
                                  faults: faults, logger: logger)
        // Migrate on a connection of its own: an unreachable server or bad credentials fail here at
        // once, where the pool would keep retrying in the background.
        do {
            let connection = try await PostgresConnection.connect(configuration: try location.connectionConfiguration(), id: 0,
                                                                  logger: logger)
            do {
                try await PostgresSchema.migrate(connection, logger: logger)
            } catch {
                try? await connection.close()
                throw error
            }
            try await connection.close()
        } catch {
            store.close()
            throw Self.openingError(Self.cause(error), at: location)
        }
        return store
    }

    deinit { runner.cancel() }

    /// Closes the pool's connections; the store cannot be used afterwards.
    public func close() { runner.cancel() }

    /// Serves until graceful shutdown, then closes the pool.
    public func run() async throws {
        try? await gracefulShutdown()
        close()
    }

    // MARK: Transactions

    /// Runs `body` in one READ COMMITTED transaction on a pooled connection. A transaction the server
    /// aborted for a deadlock or a serialization failure runs again from the start, up to `retries`
    /// times; every other failure becomes a `StoreError` (or passes through as the domain's refusal).
    /// One transaction: `body`, then the audit log's entry for what it wrote (`PostgresAuditLog`):
    /// `record` says what it was; without one, an entry is appended only if it wrote covered rows.
    /// The rows take their change set from `metl.change_set`, set for the transaction; an import's
    /// staged chunks share the import's id as `changeSet`, and only its publishing appends.
    func transaction<T: Sendable>(_ what: String, audit record: AuditRecord? = nil, changeSet named: String? = nil,
                                  appendsAudit: Bool = true, _ body: (Session) async throws -> T) async throws -> T {
        var attempt = 0
        while true {
            do {
                return try await client.withTransaction(logger: logger) { connection in
                    let session = Session(connection: connection, logger: logger)
                    let changeSet = named ?? Identifier.make(prefix: "chg")
                    try await session.count("SELECT set_config('metl.change_set', \(changeSet), true)")
                    let result = try await body(session)
                    if appendsAudit { try await PostgresAuditLog.append(record, changeSet: changeSet, session, at: Date()) }
                    return result
                }
            } catch {
                let cause = Self.cause(error)
                if attempt < Self.retries, let state = Self.sqlState(cause), state == "40001" || state == "40P01" {
                    attempt += 1
                    logger.notice("transaction aborted by the server; running it again",
                                  metadata: ["while": "\(what)", "sqlstate": "\(state)", "attempt": "\(attempt)"])
                    continue
                }
                throw Self.storageError(cause, while: what)
            }
        }
    }

    /// Runs `body` on a pooled connection outside a transaction: each statement sees the latest commit.
    func read<T: Sendable>(_ what: String, _ body: (Session) async throws -> T) async throws -> T {
        do {
            return try await client.withConnection { connection in
                try await body(Session(connection: connection, logger: logger))
            }
        } catch {
            throw Self.storageError(Self.cause(error), while: what)
        }
    }

    /// The error inside a transaction's wrapper: what the body, BEGIN or COMMIT threw.
    static func cause(_ error: any Error) -> any Error {
        guard let wrapped = error as? PostgresTransactionError else { return error }
        return wrapped.closureError ?? wrapped.commitError ?? wrapped.beginError ?? error
    }

    /// Why the database at `location` could not be opened, told apart for the operator: a server
    /// that cannot be reached, one that refuses our login or our trust, anything else.
    static func openingError(_ error: any Error, at location: PostgresLocation) -> any Error {
        if let invalid = error as? PostgresLocation.ParseError { return invalid }
        guard let error = error as? PSQLError else {
            return Self.isTLS(error) ? untrusted(location) : storageError(error, while: "opening the database at \(location)")
        }
        if let state = error.serverInfo?[.sqlState] {
            let message = error.serverInfo?[.message] ?? ""
            switch state {
            case "28P01", "28000": return StoreError(.refused, "\(location) refused the login: \(message)")
            case "3D000": return StoreError(.refused, "\(location): \(message)")
            default: return storageError(error, while: "opening the database at \(location)")
            }
        }
        switch error.code {
        case .authMechanismRequiresPassword: return StoreError(.refused, "\(location) asks for a password and none was given")
        case .sslUnsupported: return StoreError(.refused, "\(location) does not offer TLS, and sslmode=\(location.tls.rawValue) requires it")
        default:
            if let underlying = error.underlying, isTLS(underlying) { return untrusted(location) }
            let reason = error.underlying.map { String(describing: $0) } ?? "\(error.code)"
            return StoreError(.unreachable, "cannot connect to \(location.host):\(location.port): \(reason)")
        }
    }

    private static func untrusted(_ location: PostgresLocation) -> StoreError {
        StoreError(.refused, "the certificate of \(location.host):\(location.port) is not trusted by "
                   + (location.rootCertificatePath.map { "sslrootcert \($0)" } ?? "the system's roots")
                   + (location.tls == .verifyFull ? " or does not name \(location.host)" : ""))
    }

    /// A TLS handshake or certificate failure, from NIOSSL.
    private static func isTLS(_ error: any Error) -> Bool {
        error is NIOSSLError || error is NIOSSLExtraError || error is BoringSSLError
    }

    static func sqlState(_ error: any Error) -> String? {
        (error as? PSQLError)?.serverInfo?[.sqlState]
    }

    /// Domain refusals and store errors pass through; a unique key or check another writer got to
    /// first is a conflict, as a stale version is; anything else is `unavailable`. Messages carry
    /// the server's text (constraint and table names), never its detail, which quotes key values.
    static func storageError(_ error: any Error, while what: String) -> any Error {
        if error is PaymentError || error is StoreError { return error }
        if let injected = error as? FaultInjector.Injected {
            return StoreError(.unavailable, "injected fault at \(injected.point.rawValue) while \(what)")
        }
        if let error = error as? PSQLError {
            guard let state = error.serverInfo?[.sqlState] else {
                return StoreError(.unavailable, "database unreachable while \(what): \(error.code)")
            }
            let message = error.serverInfo?[.message] ?? ""
            switch state {
            case "23505", "23514", "40001", "40P01":
                return StoreError(.conflict, "\(message) while \(what)")
            default:
                return StoreError(.unavailable, "database error while \(what): SQLSTATE \(state) \(message)")
            }
        }
        return StoreError(.unavailable, "storage failure while \(what)")
    }

    static func milliseconds(_ date: Date) -> Int64 { StoredTime.milliseconds(date) }
    static func date(_ milliseconds: Int64) -> Date { StoredTime.date(milliseconds) }
}

// MARK: Merchants

extension PostgresStore {
    public func addMerchant(name: String, companyID: String, companyName: String) async throws -> Merchant {
        let merchant = try MerchantProfile.newMerchant(name: name, companyID: companyID, companyName: companyName)
        return try await transaction("adding a merchant", audit: AuditRecord(action: .merchantAdded, subjects: [merchant.id], detail: name)) { session in
            let inserted = try await session.count("""
                INSERT INTO merchants (id, name, company_id, company_name, balance_cents, created_at)
                VALUES (\(merchant.id), \(merchant.name), \(merchant.companyID), \(merchant.companyName), 0,
                        \(Self.milliseconds(merchant.createdAt)))
                ON CONFLICT (name) DO NOTHING
                """)
            guard inserted == 1 else { throw PaymentError(.duplicateMerchant, "a merchant named \(name) already exists") }
            return merchant
        }
    }

    public func merchant(_ idOrName: String) async throws -> Merchant {
        let found = try await read("reading a merchant") { session in
            try await session.rows("SELECT \(unescaped: Merchant.columnList) FROM merchants WHERE id = \(idOrName) OR name = \(idOrName)")
                .first.map(Merchant.init(_:))
        }
        guard let found else { throw PaymentError(.merchantNotFound, "no merchant \(idOrName)") }
        return found
    }

    public func merchants() async throws -> [Merchant] {
        try await read("listing merchants") { session in
            try await session.rows("SELECT \(unescaped: Merchant.columnList) FROM merchants ORDER BY name").map(Merchant.init(_:))
        }
    }

    /// Locks these merchants' rows for the rest of the transaction, in id order, and returns them:
    /// their balances cannot move, and their idempotency keys cannot be taken, until it ends.
    static func lockMerchants(_ ids: some Sequence<String>, _ session: Session) async throws -> [String: Merchant] {
        let sorted = Array(Set(ids)).sorted()
        guard !sorted.isEmpty else { return [:] }
        let rows = try await session.rows("""
            SELECT \(unescaped: Merchant.columnList) FROM merchants WHERE id = ANY(\(sorted)) ORDER BY id FOR UPDATE
            """)
        return Dictionary(uniqueKeysWithValues: try rows.map { row in
            let merchant = try Merchant(row)
            return (merchant.id, merchant)
        })
    }

}
