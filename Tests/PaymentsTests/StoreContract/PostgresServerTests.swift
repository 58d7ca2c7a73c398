import Foundation
import Payments
import PostgresStore
import Testing
import TestSupport

/// The PostgreSQL store's own checks: what the contract suite cannot say about one implementation.
/// Without a test server these are skipped, and so is PostgreSQL in the contract suite.
@Suite(.enabled(if: TestPostgres.isAvailable, Comment(rawValue: TestPostgres.skipped)))
struct PostgresServerTests {
    @Test func instancesStartingAtOnceMigrateOnceAndAgree() async throws {
        let location = try await TestPostgres.freshDatabase()
        let stores = try await withThrowingTaskGroup(of: PostgresStore.self) { group in
            for _ in 0..<4 { group.addTask { try await PostgresStore.connect(location, maximumConnections: 2) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(stores.count == 4)
        let merchant = try await stores[0].addMerchant(name: "acme", companyID: "1234567890", companyName: "Acme")
        for store in stores { #expect(try await store.merchant("acme").id == merchant.id) }
    }

    @Test func anUnreachableServerIsUnavailableAndNamesTheURLWithoutItsPassword() async throws {
        let location = PostgresLocation(host: "127.0.0.1", port: 1, username: "metl", password: "s3cret", database: "none", tls: .disable)
        do {
            _ = try await PostgresStore.connect(location)
            Issue.record("connected to nothing")
        } catch let error as StoreError {
            #expect(error.code == .unavailable)
            #expect(!error.message.contains("s3cret"))
            #expect(error.message.contains("127.0.0.1:1"))
        }
    }
}
