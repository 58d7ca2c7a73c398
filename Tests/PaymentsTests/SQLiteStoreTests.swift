import Foundation
import GRDB
import Testing
import TestSupport
@testable import Store

/// What only the SQLite store promises: its connection settings and its guard triggers.
@Suite struct SQLiteStoreTests {
    @Test func historyIsAppendOnly() async throws {
        let database = try TemporaryDatabase()
        let store = try database.store()
        let merchant = try await store.fundedMerchant(200_000)
        _ = try await store.intake([Requests.intake(merchant)])
        let queue = try DatabaseQueue(path: database.path)
        #expect(throws: DatabaseError.self) { try queue.write { try $0.execute(sql: "UPDATE payment_history SET actor = 'x'") } }
        #expect(throws: DatabaseError.self) { try queue.write { try $0.execute(sql: "DELETE FROM payment_history") } }
    }

    @Test func databaseIsDurableAndShared() async throws {
        let database = try TemporaryDatabase()
        let store = try database.store()
        let settings = try await store.pool.read { db in
            (try String.fetchOne(db, sql: "PRAGMA journal_mode"), try Int.fetchOne(db, sql: "PRAGMA synchronous"),
             try Int.fetchOne(db, sql: "PRAGMA foreign_keys"))
        }
        #expect(settings.0 == "wal")
        #expect(settings.1 == 2) // FULL
        #expect(settings.2 == 1)
    }
}
