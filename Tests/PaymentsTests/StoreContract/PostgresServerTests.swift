import Foundation
import Payments
import PostgresNIO
@testable import PostgresStore
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

    @Test func anUnreachableServerIsToldApartAndNamesTheAddressWithoutThePassword() async throws {
        let location = PostgresLocation(host: "127.0.0.1", port: 1, username: "metl", password: "s3cret", database: "none", tls: .disable)
        do {
            _ = try await PostgresStore.connect(location)
            Issue.record("connected to nothing")
        } catch let error as StoreError {
            #expect(error.code == .unreachable)
            #expect(!error.message.contains("s3cret"))
            #expect(error.message.contains("127.0.0.1:1"))
        }
    }

    @Test(.enabled(if: TestPostgres.certificateAuthority != nil, "the test server takes no TLS"))
    func tlsModesAreLibpqsVerifyFullChecksTheNameAndVerificationRefusesAnotherCA() async throws {
        let database = try await TestPostgres.freshDatabase()
        let authority = try #require(TestPostgres.certificateAuthority)
        func usesTLS(_ location: PostgresLocation) async throws -> Bool {
            let client = PostgresClient(configuration: location.clientConfiguration())
            let runner = Task { await client.run() }
            defer { runner.cancel() }
            let rows = try await client.query("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
            for try await ssl in rows.decode(Bool.self) { return ssl }
            return false
        }
        // The server's certificate names `localhost`; the URL names 127.0.0.1.
        for mode in [PostgresLocation.TLSMode.require, .verifyCA] {
            var location = database
            location.tls = mode
            location.rootCertificatePath = authority
            #expect(try await usesTLS(location), "\(mode)")
            _ = try await PostgresStore.connect(location)
        }
        var byName = database
        byName.host = "localhost"
        byName.tls = .verifyFull
        byName.rootCertificatePath = authority
        #expect(try await usesTLS(byName))
        _ = try await PostgresStore.connect(byName)
        var byAddress = byName
        byAddress.host = "127.0.0.1"
        await #expect("verify-full to a host the certificate does not name") { _ = try await PostgresStore.connect(byAddress) } throws: {
            ($0 as? StoreError)?.code == .refused && ($0 as? StoreError)?.message.contains("is not trusted by sslrootcert") == true
        }
        var plain = database
        plain.tls = .disable
        #expect(try await usesTLS(plain) == false)

        // Another CA, made now: verify-ca and verify-full refuse the server; require does not check.
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("metl-ca-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let other = directory.appendingPathComponent("other.pem").path
        try ExternalCommand.run("/usr/bin/openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=other",
                                                    "-keyout", directory.appendingPathComponent("other.key").path, "-out", other])
        for mode in [PostgresLocation.TLSMode.verifyCA, .verifyFull] {
            var location = database
            location.tls = mode
            location.rootCertificatePath = other
            await #expect("\(mode) with another CA") { _ = try await PostgresStore.connect(location) } throws: {
                ($0 as? StoreError)?.code == .refused && ($0 as? StoreError)?.message.contains("sslrootcert \(other)") == true
            }
        }
    }
}
