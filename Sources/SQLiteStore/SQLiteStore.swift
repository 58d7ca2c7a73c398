import Foundation
import GRDB
import Logging
import Payments

/// The `LedgerStore` on one SQLite file: it reads, and persists the plans Payments makes
/// (`LedgerPlanWriter`, `CheckPlanWriter`) in one IMMEDIATE transaction each, every row written only
/// as the plan read it. Intake reads inside its write's transaction (`takeIn`), under SQLite's one
/// write lock, so it never meets a conflict; the other writes read first and rely on the plans'
/// version and status checks, even with other processes sharing the file.
public final class SQLiteStore: PaymentStore {
    public let path: String
    let pool: DatabasePool
    /// Read-only connections for `quickRead` alone (see there).
    let quickReaders: DatabasePool
    let faults: FaultInjector
    let logger: Logger
    /// The change set the writer's transaction is writing: what `metl_change_set()` gives the rows
    /// the audit log covers.
    let changeSet: AuditChangeSet

    /// Opens (creating if needed) the database at `path` and migrates it.
    public init(path: String, busyTimeout: TimeInterval = 10, faults: FaultInjector = .none,
                logger: Logger = Logger(label: "metl.store")) throws {
        self.path = path
        self.faults = faults
        self.logger = logger
        let changeSet = AuditChangeSet()
        self.changeSet = changeSet
        var configuration = Configuration()
        configuration.busyMode = .timeout(busyTimeout)
        configuration.foreignKeysEnabled = true
        configuration.prepareDatabase { db in
            db.add(function: changeSet.function)
            // FULL: a commit survives power loss, not only a process crash.
            try db.execute(sql: "PRAGMA synchronous = FULL")
            // Idempotency keys are random UUIDs, so their index pages are touched at random: the
            // writer's 32 MiB page cache keeps bulk imports from re-reading them (a 300,000-row
            // import took 18.4 s with it, 19.1 s with 64 MiB). Readers look rows up by key, and there
            // are several: 8 MiB each. Together they bound a long job's memory (a 100 MB exception
            // file peaked at 163 MB with every connection at 64 MiB).
            try db.execute(sql: db.configuration.readonly ? "PRAGMA cache_size = -8192" : "PRAGMA cache_size = -32768")
            // Temporary tables and statement journals in files, not memory: with foreign keys on, a
            // bulk UPDATE keeps a statement journal of every page it changes: updating a million
            // payments peaked at 364 MiB with it in memory, 74 MiB in a file, and was no slower
            // (sqlite3 on that database). Temporary files are never synced.
            try db.execute(sql: "PRAGMA temp_store = FILE")
        }
        do {
            try Self.ownerOnly(path)
            pool = try DatabasePool(path: path, configuration: configuration)
            try Schema.migrator.migrate(pool)
            var readOnly = configuration
            readOnly.readonly = true
            quickReaders = try DatabasePool(path: path, configuration: readOnly)
        } catch {
            throw Self.storageError(error, while: "opening the database")
        }
    }

    /// The database holds webhook secrets and full account numbers: it is created 0600 whatever the
    /// umask, and one found readable by others is made so. SQLite gives its `-wal` and `-shm` files
    /// the database's mode when it creates them; any already there are made owner-only too.
    static func ownerOnly(_ path: String) throws {
        let created = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        if created >= 0 {
            defer { close(created) }
            guard fchmod(created, 0o600) == 0 else { throw StoreError(.unavailable, "cannot make \(path) owner-only") }
            return
        }
        for file in [path, path + "-wal", path + "-shm"] {
            var status = stat()
            guard stat(file, &status) == 0, status.st_mode & 0o077 != 0 else { continue }
            guard chmod(file, status.st_mode & 0o700) == 0 else { throw StoreError(.unavailable, "cannot make \(file) owner-only") }
        }
    }

    /// Runs `body` in one write transaction; a database failure becomes a `StoreError`.
    /// One write transaction: `body`, then the audit log's entry for what it wrote (`AuditLog`):
    /// `record` says what it was; without one, an entry is appended only if it wrote covered rows.
    /// `changeSet` names the rows' change set (an import's staged chunks share the import's id, and
    /// only its publishing appends the entry, `appendsAudit` false while staging).
    func write<T: Sendable>(_ what: String, audit record: AuditRecord? = nil, changeSet named: String? = nil, appendsAudit: Bool = true,
                            _ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        let changeSet = self.changeSet
        let acting = AuditActing.actor
        do {
            return try await pool.write { db in
                let id = named ?? Identifier.make(prefix: AuditChangeSet.idPrefix)
                changeSet.begin(id)
                let result: T
                do {
                    result = try body(db)
                } catch {
                    _ = changeSet.end()
                    throw error
                }
                // A named change set (an import's) has rows from earlier transactions too: all its tables are read.
                let written = changeSet.end()
                if appendsAudit {
                    try AuditLog.append(record ?? written.record, changeSet: id, db, at: Date(), tables: named == nil ? written.tables : nil,
                                        acting: acting)
                }
                return result
            }
        } catch {
            throw Self.storageError(error, while: what)
        }
    }

    func read<T: Sendable>(_ what: String, _ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await pool.read(body)
        } catch {
            throw Self.storageError(error, while: what)
        }
    }

    /// Short reads (an indexed row, a page of at most a few hundred rows) run on the calling thread.
    /// An async read hops to GRDB's reader queue and back, which measured ~270 µs per read on the
    /// 2-core reference machine against ~35 µs for the query itself; in WAL mode a reader never waits
    /// for the writer, so the caller is held only for the query. Long scans keep using `read`.
    ///
    /// They take their connection from a pool of their own. Sharing `pool`'s readers deadlocked under
    /// load: async reads held every reader while waiting for a cooperative thread to resume on, and
    /// every cooperative thread was blocked here waiting for a reader. A connection of this pool is
    /// only ever held by a thread running a query, so a wait for one always ends.
    ///
    /// No transaction is opened around `body` (BEGIN and COMMIT took two thirds of a one-row read):
    /// each statement sees a committed state of its own, which is all a one-statement read needs.
    /// A body of several statements must not depend on them agreeing with each other.
    func quickRead<T>(_ what: String, _ body: (Database) throws -> T) throws -> T {
        do {
            return try quickReaders.unsafeRead(body)
        } catch {
            throw Self.storageError(error, while: what)
        }
    }

    /// Domain refusals and store errors raised inside a transaction pass through as they are; anything
    /// else the database raised becomes `StoreError.Code.unavailable`.
    static func storageError(_ error: any Error, while what: String) -> any Error {
        if error is PaymentError || error is StoreError { return error }
        if let error = error as? DatabaseError {
            // A unique key another writer took first (the same inbound bytes, an idempotency key): the
            // rows are not as they were read, so it is the same conflict a stale version is.
            if error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE || error.extendedResultCode == .SQLITE_CONSTRAINT_PRIMARYKEY {
                return StoreError(.conflict, "\(error.message ?? "a unique key") while \(what)")
            }
            // The message is SQLite's (table/constraint names), never bound values.
            return StoreError(.unavailable, "database error while \(what): \(error.resultCode) \(error.message ?? "")")
        }
        if let injected = error as? FaultInjector.Injected {
            return StoreError(.unavailable, "injected fault at \(injected.point.rawValue) while \(what)")
        }
        return StoreError(.unavailable, "storage failure while \(what)")
    }

    static func milliseconds(_ date: Date) -> Int64 { StoredTime.milliseconds(date) }
    static func date(_ milliseconds: Int64) -> Date { StoredTime.date(milliseconds) }
}

// MARK: Merchants

extension SQLiteStore {
    public func addMerchant(name: String, companyID: String, companyName: String) async throws -> Merchant {
        let merchant = try MerchantProfile.newMerchant(name: name, companyID: companyID, companyName: companyName)
        return try await write("adding a merchant", audit: AuditRecord(action: .merchantAdded, subjects: [merchant.id], detail: name)) { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM merchants WHERE name = ?", arguments: [name]) == true {
                throw PaymentError(.duplicateMerchant, "a merchant named \(name) already exists")
            }
            try db.execute(sql: """
                INSERT INTO merchants (id, name, company_id, company_name, balance_cents, created_at) VALUES (?, ?, ?, ?, 0, ?)
                """, arguments: [merchant.id, merchant.name, merchant.companyID, merchant.companyName,
                                 Self.milliseconds(merchant.createdAt)])
            return merchant
        }
    }

    public func merchant(_ idOrName: String) async throws -> Merchant {
        let found = try await read("reading a merchant") { db in
            try Row.fetchOne(db, sql: "SELECT \(Merchant.columnList) FROM merchants WHERE id = ? OR name = ?", arguments: [idOrName, idOrName])
                .map(Merchant.init(_:))
        }
        guard let found else { throw PaymentError(.merchantNotFound, "no merchant \(idOrName)") }
        return found
    }

    public func merchants() async throws -> [Merchant] {
        try await read("listing merchants") { db in
            try Row.fetchAll(db, sql: "SELECT \(Merchant.columnList) FROM merchants ORDER BY name").map(Merchant.init(_:))
        }
    }
}
