import Foundation
import Payments
import PostgresStore
import SQLiteStore
import Testing
import TestSupport

/// The executable on a PostgreSQL database: every command the issue names, in the demo's order.
/// Skipped, and saying so, without a test server (`make test` starts one).
@Suite(.serialized, .enabled(if: TestPostgres.isAvailable, Comment(rawValue: TestPostgres.skipped)))
struct PostgresCLITests {
    /// A fresh database's URL and a working directory of its own with a shared archive beside it.
    struct Instance {
        let url: String
        let directory: URL
        var archive: String { directory.appendingPathComponent("shared-archive").path }

        init() async throws {
            let location = try await TestPostgres.freshDatabase()
            url = location.description
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("metl-pg-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        }

        /// The demo's settings (scripts/demo.sh), on this database.
        var environment: [String: String] {
            ["METL_DATABASE": url, "METL_ARCHIVE_DIR": archive, "METL_DESTINATION": "file://\(directory.path)/outbox",
             "METL_ODFI_ROUTING": "121042882", "METL_IMMEDIATE_DESTINATION": "091000019",
             "METL_ORIGIN_NAME": "METL DEMO BANK", "METL_DESTINATION_NAME": "FEDERAL RESERVE BANK", "METL_CLOCK": CLI.demoClock,
             "METL_WEBHOOKS_ALLOW_PRIVATE": "true"]
        }

        func metl(_ arguments: String...) throws -> CLI.Result {
            let result = try CLI.run(arguments, environment: environment)
            #expect(result.status == 0, "metl \(arguments.joined(separator: " ")): \(result.stderr)")
            return result
        }
    }

    @Test func theDemoLifecycleRunsOnPostgreSQL() async throws {
        let instance = try await Instance()
        _ = try instance.metl("merchants", "add", "demo-merchant", "--company-id", "1234567890", "--company-name", "METL DEMO INC")
        _ = try instance.metl("merchants", "fund", "demo-merchant", "1000000")
        #expect(try instance.metl("merchants", "list").stdout.contains("demo-merchant"))
        #expect(try instance.metl("merchants", "keys", "create", "demo-merchant").stdout.hasPrefix("metl_sk_"))
        _ = try instance.metl("webhooks", "endpoints", "add", "demo-merchant", "http://127.0.0.1:9/hook")
        _ = try instance.metl("payments", "import", "fixtures/payments/demo.csv", "--merchant", "demo-merchant")
        _ = try instance.metl("cutoff")
        // The same file name, hence the same identity the project's acknowledgement fixtures quote.
        let files = try instance.metl("files", "list")
        #expect(files.stdout.contains("ACH_121042882_20261123_1430_A.ach"))
        #expect(try instance.metl("files", "show", "ACH_121042882_20261123_1430_A.ach").stdout.contains("uploaded"))
        _ = try instance.metl("ingest", "fixtures/inbound/ack-accepted.txt")
        _ = try instance.metl("ingest", "fixtures/inbound/settlement.bai2", "fixtures/inbound/returns.ach", "fixtures/inbound/noc.ach")
        _ = try instance.metl("reconcile")

        let store = try await PostgresStore.connect(try PostgresLocation(url: instance.url))
        let payments = try await store.payments(PaymentQuery())
        #expect(!payments.isEmpty)
        #expect(payments.allSatisfy { $0.state == .completed || $0.state == .failed })
        #expect(payments.filter { $0.state == .failed }.count == 2, "the funds check and the return")
        #expect(payments.contains { $0.failure?.code == "R01" })
        let inbound = try await store.inboundFiles()
        #expect(inbound.count == 4 && inbound.allSatisfy { $0.status == .processed })
        // A second ingest of the same bytes is a duplicate, applied nowhere.
        _ = try instance.metl("ingest", "fixtures/inbound/returns.ach")
        #expect(try await store.inboundFiles().filter { $0.status == .duplicate }.count == 1)
        let listed = try instance.metl("payments", "list", "--json")
        #expect(listed.stdout.contains("P_COMPLETED"))
        #expect(try instance.metl("webhooks", "endpoints", "list", "--json").stdout.contains("http://127.0.0.1:9/hook"))
        #expect(try instance.metl("webhooks", "events", "--status", "pending", "--json").stdout.contains("payment."))
        _ = try instance.metl("idempotency", "purge")
    }

    @Test func aPostgreSQLDatabaseWithoutAnArchiveDirectoryIsRefusedBeforeAnythingRuns() async throws {
        let instance = try await Instance()
        var environment = instance.environment
        environment["METL_ARCHIVE_DIR"] = nil
        let result = try CLI.run(["cutoff"], environment: environment.merging(["METL_ARCHIVE_DIR": ""]) { $1 })
        #expect(result.status == 2)
        #expect(result.stderr.contains("--archive-dir"))
    }

    @Test func aBadURLOrAWrongPasswordSaysSoWithoutThePassword() async throws {
        let instance = try await Instance()
        let bad = try CLI.run(["merchants", "list", "--database", "postgres://metl@127.0.0.1/ledger?sslmode=sometimes"])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("sslmode"))
        let location = try PostgresLocation(url: instance.url)
        let unreachable = "postgres://\(location.username):hunter2@127.0.0.1:1/\(location.database)?sslmode=disable"
        let refused = try CLI.run(["merchants", "list", "--database", unreachable])
        #expect(refused.status == 9, "a server that is down is its own exit status")
        #expect(refused.stderr.contains("cannot connect to 127.0.0.1:1") && !refused.stderr.contains("hunter2"), "\(refused.stderr)")

        // Each malformed URL is named, before anything connects.
        for (url, says) in [(location.description + "&sslmode=require", "gives sslmode twice"),
                            ("postgres://metl@127.0.0.1:99999/ledger", "port 99999 is not 1 to 65535"),
                            ("postgres://metl@127.0.0.1/led%zzger", "a % not followed by two hexadecimal digits"),
                            ("postgres://metl@127.0.0.1/led%00ger", "holds a NUL character")] {
            let refusedURL = try CLI.run(["merchants", "list", "--database", url])
            #expect(refusedURL.status == 2, "\(url)")
            #expect(refusedURL.stderr.contains(says), "\(url): \(refusedURL.stderr)")
        }
        let noRoots = try CLI.run(["merchants", "list", "--database", location.description.replacingOccurrences(of: "sslmode=disable", with: "sslmode=verify-full")
                                   + "&sslrootcert=/nonexistent/ca.pem"])
        #expect(noRoots.status == 8 && noRoots.stderr.contains("sslrootcert /nonexistent/ca.pem cannot be read"), "\(noRoots.stderr)")

        // A login that needs a password: none given names where it comes from; a wrong one is refused; the right one opens.
        let login = try await TestPostgres.passwordLogin(to: location)
        var withoutPassword = login
        withoutPassword.password = nil
        let missing = try CLI.run(["merchants", "list", "--database", withoutPassword.description], environment: ["PGPASSWORD": ""])
        #expect(missing.status == 8, "\(missing.stderr)")
        #expect(missing.stderr.contains("asks for a password and none was given; give it in PGPASSWORD or in the file METL_DATABASE_PASSWORD_FILE names"),
                "\(missing.stderr)")
        let wrong = try CLI.run(["merchants", "list", "--database", withoutPassword.description], environment: ["PGPASSWORD": "not-" + (login.password ?? "")])
        #expect(wrong.status == 8 && wrong.stderr.contains("refused the login"), "\(wrong.stderr)")
        #expect(!wrong.stderr.contains(login.password ?? "?"))
        let right = try CLI.run(["merchants", "add", "acme", "--company-id", "1234567890", "--company-name", "ACME", "--database", withoutPassword.description],
                                environment: ["PGPASSWORD": login.password ?? ""])
        #expect(right.status == 0, "\(right.stderr)")
    }

    @Test func aSQLiteDatabaseMovesToPostgreSQLVerifiedTableByTable() async throws {
        let instance = try await Instance()
        let sqlite = instance.directory.appendingPathComponent("metl.sqlite").path
        var environment = instance.environment
        environment["METL_DATABASE"] = sqlite
        environment["METL_WEBHOOKS_ALLOW_PRIVATE"] = "true"
        func onSQLite(_ arguments: String...) throws {
            let result = try CLI.run(arguments, environment: environment)
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
        }
        try onSQLite("merchants", "add", "demo-merchant", "--company-id", "1234567890", "--company-name", "METL DEMO INC")
        try onSQLite("merchants", "fund", "demo-merchant", "1000000")
        try onSQLite("merchants", "keys", "create", "demo-merchant")
        try onSQLite("webhooks", "endpoints", "add", "demo-merchant", "http://127.0.0.1:9/hook")
        try onSQLite("payments", "import", "fixtures/payments/demo.csv", "--merchant", "demo-merchant")
        try onSQLite("cutoff")
        try onSQLite("ingest", "fixtures/inbound/ack-accepted.txt", "fixtures/inbound/returns.ach")

        let copied = try CLI.run(["migrate-store", "--from", sqlite, "--to", instance.url, "--json"])
        #expect(copied.status == 0, "\(copied.stderr)")
        let tables = try #require(try JSONSerialization.jsonObject(with: Data(copied.stdout.utf8)) as? [[String: Any]])
        #expect(tables.count == LedgerTable.all.count)
        #expect(tables.first { $0["table"] as? String == "payment_history" }?["rows"] as? Int ?? 0 > 0)

        let before = try SQLiteStore(path: sqlite)
        let after = try await PostgresStore.connect(try PostgresLocation(url: instance.url))
        let payments = try await before.payments(PaymentQuery())
        #expect(try await after.payments(PaymentQuery()) == payments)
        for payment in payments { #expect(try await after.history(paymentID: payment.id) == (try await before.history(paymentID: payment.id))) }
        #expect(try await after.merchant("demo-merchant") == (try await before.merchant("demo-merchant")))
        #expect(try await after.inboundFiles() == (try await before.inboundFiles()))

        // A second copy into the same database is refused and changes nothing.
        let again = try CLI.run(["migrate-store", "--from", sqlite, "--to", instance.url])
        #expect(again.status == 5 && again.stderr.contains("not empty"), "\(again.stderr)")
        #expect(try await after.payments(PaymentQuery()).count == payments.count)
        // The copy goes on where SQLite left off: new rows take ids after the copied ones.
        _ = try instance.metl("ingest", "fixtures/inbound/noc.ach")
        #expect(try await after.inboundFiles().count == 3)
    }
}
