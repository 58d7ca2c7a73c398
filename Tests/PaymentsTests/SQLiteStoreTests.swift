import Foundation
import GRDB
import Payments
import Testing
import TestSupport
@testable import SQLiteStore

/// What only the SQLite store promises: its connection settings and its guard triggers.
@Suite struct SQLiteStoreTests {
    @Test("short reads that block a thread and reads that hop to a reader queue, many at once, never deadlock")
    func quickAndAsyncReadsTogether() async throws {
        let database = try TemporaryDatabase()
        let store = try database.store()
        let merchant = try await store.fundedMerchant(200_000)
        let payment = try await store.intake([Requests.intake(merchant)])[0].payment
        // A deadlock leaves no cooperative thread to fail the test on, so a plain thread ends the run.
        let finished = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            if finished.wait(timeout: .now() + 60) == .timedOut { fatalError("reads deadlocked: the reader pool was exhausted") }
        }
        defer { finished.signal() }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for task in 0..<64 {
                group.addTask {
                    for _ in 0..<50 {
                        let found = task.isMultiple(of: 2) ? [try await store.payment(id: payment.id)]
                            : try await store.payments(PaymentQuery())
                        #expect(found.map(\.id) == [payment.id])
                    }
                }
            }
            try await group.waitForAll()
        }
    }

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
