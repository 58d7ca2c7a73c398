import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Payments
import PostgresStore
import Synchronization
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// Several metl processes on one PostgreSQL database, through the real executable: API servers
/// under concurrent duplicate requests (and one killed mid-load), cutoffs and ingests started at
/// once, webhook workers sharing the outbox.
@Suite(.serialized, .enabled(if: TestPostgres.isAvailable, Comment(rawValue: TestPostgres.skipped)))
struct PostgresInstancesTests {
    struct Answer: Sendable {
        var key: String
        var status: UInt?
        var paymentID: String?
        var replayed: Bool
    }

    /// A merchant funded for `fundedCredits` credits of `amount`, with an API key; returns its id and the key's secret.
    static func merchant(_ url: String, fundedCredits: Int, amount: Int64) throws -> (id: String, secret: String) {
        func metl(_ arguments: String...) throws -> String {
            let result = try CLI.run(arguments + ["--database", url])
            #expect(result.status == 0, "\(result.stderr)")
            return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let added = try metl("merchants", "add", "acme", "--company-id", "1234567890", "--company-name", "ACME")
        _ = try metl("merchants", "fund", "acme", String(Int64(fundedCredits) * amount))
        let id = String(added.split(separator: " ").first { $0.hasPrefix("mer_") } ?? "")
        return (id, try metl("merchants", "keys", "create", "acme"))
    }

    /// POSTs `keys` (in order, a key repeated for a duplicate) spread over `ports`, 48 at a time.
    static func post(_ keys: [String], to ports: @escaping @Sendable () -> [Int], secret: String, amount: Int64,
                     afterEach: @escaping @Sendable (Int) async -> Void = { _ in }) async -> [Answer] {
        let client = HTTPClient.shared
        return await withTaskGroup(of: Answer.self) { group in
            var answers: [Answer] = []
            for (index, key) in keys.enumerated() {
                if index >= 48, let answer = await group.next() { answers.append(answer) }
                let live = ports()
                let port = live[index % live.count]
                group.addTask {
                    var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/payments/ach")
                    request.method = .POST
                    request.headers.add(name: "Authorization", value: "Bearer \(secret)")
                    request.headers.add(name: "Idempotency-Key", value: key)
                    request.headers.add(name: "Content-Type", value: "application/json")
                    // The same key always carries the same body: a duplicate is the same request again.
                    request.body = .bytes(ByteBuffer(string: """
                        {"amount": \(amount), "direction": "credit", "sec_code": "PPD", "description": "PAYROLL",
                         "effective_date": "\(Requests.effectiveDate)", "metadata": {"key": "\(key)"},
                         "counterparty": {"name": "JANE DOE", "routing_number": "121042882", "account_number": "12345678",
                                          "account_type": "checking"}}
                        """))
                    await afterEach(index)
                    do {
                        let response = try await client.execute(request, timeout: .seconds(20))
                        let body = try await response.body.collect(upTo: 1 << 20)
                        let document = try? JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any]
                        let id = document?["id"] as? String ?? document?["payment_id"] as? String
                        return Answer(key: key, status: response.status.code, paymentID: id,
                                      replayed: response.headers.first(name: "Idempotent-Replayed") == "true")
                    } catch {
                        return Answer(key: key, status: nil, paymentID: nil, replayed: false)
                    }
                }
            }
            for await answer in group { answers.append(answer) }
            return answers
        }
    }

    /// 3,000 requests: 2,400 keys, then 600 repeats of earlier keys, shuffled so a repeat may race its first.
    static func requestKeys() -> (keys: [String], distinct: Set<String>) {
        let distinct = (0..<2_400).map { _ in UUID().uuidString.lowercased() }
        var keys = distinct + (0..<600).map { distinct[($0 * 7) % distinct.count] }
        keys.shuffle()
        return (keys, Set(distinct))
    }

    /// What must hold however the load went: one payment per key, history for every version, and a
    /// balance of exactly the funding less what the payments still hold reserved, never negative.
    static func checkLedger(_ url: String, merchantID: String, funded: Int64, amount: Int64) async throws -> [Payment] {
        let store = try await PostgresStore.connect(try PostgresLocation(url: url))
        let payments = try await store.payments(PaymentQuery(limit: 10_000))
        #expect(Set(payments.map(\.idempotencyKey)).count == payments.count, "exactly one payment per key")
        let merchant = try await store.merchant(merchantID)
        #expect(merchant.balance >= 0)
        #expect(merchant.balance == funded - payments.reduce(0) { $0 + $1.reservedAmount })
        #expect(payments.filter { $0.state == .validated }.count <= Int(funded / amount))
        for payment in payments.prefix(300) {
            #expect(try await store.history(paymentID: payment.id).count == payment.version, "no change without its history row")
        }
        return payments
    }

    @Test func threeServersTakeConcurrentDuplicatesOnePaymentPerKeyAndNeverOverdraw() async throws {
        let url = try await TestPostgres.freshDatabase().description
        let (merchantID, secret) = try Self.merchant(url, fundedCredits: 1_000, amount: 1_000)
        let servers = try (0..<3).map { _ in try ServeProcess.start(CLI.binary, database: url) }
        defer { servers.forEach { $0.stop() } }
        let (keys, distinct) = Self.requestKeys()
        let ports = servers.map(\.port)
        let started = ContinuousClock.now
        let answers = await Self.post(keys, to: { ports }, secret: secret, amount: 1_000)
        let elapsed = ContinuousClock.now - started

        #expect(answers.count == 3_000)
        #expect(answers.allSatisfy { ($0.status ?? 599) < 500 }, "never 5xx: \(Set(answers.compactMap(\.status)))")
        #expect(answers.allSatisfy { [201, 409].contains($0.status ?? 0) })
        // Each key's first answer created its payment; every other answer for it replayed it or said 409.
        var created: [String: String] = [:]
        for answer in answers where answer.status == 201 && !answer.replayed {
            #expect(created[answer.key] == nil, "a key created two payments")
            created[answer.key] = answer.paymentID
        }
        #expect(Set(created.keys) == distinct)
        for answer in answers where answer.replayed { #expect(created[answer.key] == answer.paymentID) }

        let payments = try await Self.checkLedger(url, merchantID: merchantID, funded: 1_000_000, amount: 1_000)
        #expect(payments.count == 2_400)
        #expect(payments.filter { $0.state == .validated }.count == 1_000, "the balance funds exactly 1,000 credits")
        #expect(payments.filter { $0.state == .failed }.count == 1_400)
        print("three servers: 3,000 POSTs (600 duplicates) in \(elapsed)")
    }

    @Test func aServerKilledMidLoadLosesNoAnsweredPaymentAndLeavesNothingHalfWritten() async throws {
        let url = try await TestPostgres.freshDatabase().description
        let (merchantID, secret) = try Self.merchant(url, fundedCredits: 1_000, amount: 1_000)
        let servers = try (0..<3).map { _ in try ServeProcess.start(CLI.binary, database: url) }
        defer { servers.forEach { $0.stop() } }
        let (keys, _) = Self.requestKeys()
        let victim = servers[1]
        // The balancer stops sending to the killed server; requests already sent to it fail.
        let live = Mutex(servers.map(\.port))
        let (victimPID, victimPort) = (victim.process.pid, victim.port)
        let answers = await Self.post(keys, to: { live.withLock { $0 } }, secret: secret, amount: 1_000) { index in
            guard index == 1_000 else { return }
            kill(victimPID, SIGKILL)
            live.withLock { $0.removeAll { $0 == victimPort } }
        }
        #expect(victim.process.wait() == 128 + SIGKILL, "ended by the signal")

        #expect(answers.contains { $0.status == nil }, "some requests met the killed server")
        #expect(answers.allSatisfy { ($0.status ?? 0) < 500 }, "the live servers never answered 5xx")
        let payments = try await Self.checkLedger(url, merchantID: merchantID, funded: 1_000_000, amount: 1_000)
        let stored = Set(payments.map(\.id))
        for answer in answers where answer.status == 201 {
            #expect(answer.paymentID.map(stored.contains) == true, "an answered 201 has its payment")
        }
    }
}

/// Batch jobs from several hosts (here: working directories) on one PostgreSQL database and one
/// shared archive: the lease lets one cutoff run at a time and hands a dead holder's work to the
/// next, and the same bank file ingested twice at once is applied once.
@Suite(.serialized, .enabled(if: TestPostgres.isAvailable, Comment(rawValue: TestPostgres.skipped)))
struct PostgresJobsTests {
    let server: SSHServer
    let url: String
    let store: PostgresStore
    let hosts: [URL]
    let archive: String

    init() async throws {
        server = try SSHServer.start()
        let location = try await TestPostgres.freshDatabase()
        url = location.description
        store = try await PostgresStore.connect(location)
        let directory = server.directory.appendingPathComponent("hosts")
        hosts = try ["a", "b"].map { name in
            let host = directory.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: host, withIntermediateDirectories: true)
            return host
        }
        archive = directory.appendingPathComponent("shared-archive").path
    }

    var environment: [String: String] {
        ProcessInfo.processInfo.environment.merging([
            "METL_DATABASE": url, "METL_ARCHIVE_DIR": archive,
            "METL_DESTINATION": "sftp://\(server.username)@127.0.0.1:\(server.port)\(server.root)",
            "METL_IDENTITY_FILE": server.clientKeyPath, "METL_KNOWN_HOSTS": server.knownHostsPath,
            "METL_ODFI_ROUTING": "121042882", "METL_IMMEDIATE_DESTINATION": "091000019",
            "METL_ORIGIN_NAME": "METL TEST", "METL_DESTINATION_NAME": "FED", "METL_MAX_FILE_ENTRIES": "300",
            "METL_LOG_LEVEL": "error",
        ]) { $1 }
    }

    /// `metl ARGUMENTS` started in `host`'s directory.
    func start(_ arguments: [String], on host: URL, overriding: [String: String] = [:]) throws -> Process {
        let process = Process()
        process.executableURL = CLI.binary
        process.arguments = arguments
        process.currentDirectoryURL = host
        process.environment = environment.merging(overriding) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    func finish(_ process: Process) -> Int32 {
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// The bank holds each recorded file once, with the archived bytes, and every payment went exactly once.
    func checkExactlyOnce(payments expected: Int) async throws {
        let files = try await store.outboundFiles(statuses: nil)
        #expect(files.allSatisfy { $0.status == .uploaded })
        let remote = try FileManager.default.contentsOfDirectory(atPath: server.root)
        #expect(remote.sorted() == files.map(\.name).sorted(), "one remote file per recorded file, no partial uploads left")
        for file in files {
            let bytes = FileManager.default.contents(atPath: server.root + "/" + file.name)
            #expect(bytes == FileManager.default.contents(atPath: archive + "/" + file.archivePath), "the bank has the archived bytes")
        }
        let payments = try await store.payments(PaymentQuery(limit: 100_000))
        #expect(payments.count == expected)
        #expect(payments.allSatisfy { $0.state == .submittedToCore })
        for payment in payments.prefix(200) {
            #expect(try await store.history(paymentID: payment.id).filter { $0.toState == .submittedToCore }.count == 1)
        }
    }

    @Test func twoCutoffsAtOnceOneRunsAndAKilledHolderIsResumedByTheOther() async throws {
        defer { server.stop() }
        let merchant = try await store.fundedMerchant(9_000_000_000)
        _ = try await store.intake((0..<1_500).map { try Requests.intake(merchant, Requests.credit(amount: Int64(1_000 + $0))) })

        // Started together: one holds the lease, the other exits with the lock-held code (6).
        let first = try start(["cutoff"], on: hosts[0]), second = try start(["cutoff"], on: hosts[1])
        let statuses = [finish(first), finish(second)].sorted()
        #expect(statuses == [0, 6], "one cutoff ran, the other found the lock held")
        try await checkExactlyOnce(payments: 1_500)

        // The holder killed mid-run; the other host's cutoff takes the lease over and finishes its files.
        _ = try await store.intake((0..<1_500).map { try Requests.intake(merchant, Requests.credit(amount: Int64(5_000 + $0))) })
        let span = ContinuousClock.now
        // Twenty entries a file makes 75 files, far more than the holder can upload before the kill, so
        // the kill always lands mid-run however fast the machine is.
        let holder = try start(["cutoff"], on: hosts[0], overriding: ["METL_MAX_FILE_ENTRIES": "20"])
        // Killed once its first file is recorded, before it can finish the rest.
        while try await store.outboundFiles(statuses: nil).count < 6, holder.isRunning, ContinuousClock.now - span < .seconds(60) {
            try await Task.sleep(for: .milliseconds(5))
        }
        let killed = holder.isRunning
        kill(holder.processIdentifier, SIGKILL)
        holder.waitUntilExit()
        #expect(finish(try start(["cutoff"], on: hosts[1])) == 0)
        try await checkExactlyOnce(payments: 3_000)
        #expect(killed, "the holder was killed mid-run")
    }

    @Test func theSameReturnFileIngestedTwiceAtOnceIsAppliedOnce() async throws {
        defer { server.stop() }
        let merchant = try await store.fundedMerchant(9_000_000_000)
        _ = try await store.intake((0..<400).map { try Requests.intake(merchant, Requests.credit(amount: Int64(1_000 + $0))) })
        #expect(finish(try start(["cutoff"], on: hosts[0])) == 0)
        let file = try #require(try await store.outboundFiles(statuses: [.uploaded]).first)
        let returned = try await store.filePayments(fileID: file.id).prefix(200)
        let bytes = try BankFileFixtures.returns(returned.map { ($0.payment, $0.binding.traceNumber, "R01") })
        let paths = try hosts.map { host in
            let path = host.appendingPathComponent("returns.ach").path
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            return path
        }
        let both = try zip(paths, hosts).map { try start(["ingest", $0.0], on: $0.1) }
        #expect(both.map(finish).allSatisfy { $0 == 0 })

        let inbound = try await store.inboundFiles()
        #expect(inbound.filter { $0.status == .processed }.count == 1, "applied once")
        #expect(inbound.filter { $0.status == .duplicate }.count == 1, "the other copy recorded as a duplicate")
        for entry in returned {
            let history = try await store.history(paymentID: entry.payment.id)
            #expect(history.last?.toState == .failed)
            #expect(history.filter { $0.reasonCode == "R01" }.count == 1, "each return applied once")
        }
    }
}

/// Two `metl webhooks work` processes on one PostgreSQL outbox, delivering to a receiver on loopback.
@Suite(.serialized, .enabled(if: TestPostgres.isAvailable, Comment(rawValue: TestPostgres.skipped)))
struct PostgresWebhookWorkersTests {
    /// Counts each event id the receiver is sent; answers at once, or after `delay` while one is set.
    final class Receiver: Sendable {
        let receipts = Mutex<[String: Int]>([:])
        let delay = Mutex<Duration?>(nil)

        func router() -> Router<BasicRequestContext> {
            let router = Router()
            router.post("hook") { request, _ -> Response in
                let id = request.headers[HTTPField.Name("webhook-id")!] ?? "?"
                self.receipts.withLock { $0[id, default: 0] += 1 }
                if let delay = self.delay.withLock({ $0 }) { try await Task.sleep(for: delay) }
                return Response(status: .noContent)
            }
            return router
        }
    }

    @Test func twoWorkersDeliverEachEventOnceAndAKilledWorkersLeasesAreSentAgain() async throws {
        let location = try await TestPostgres.freshDatabase()
        let url = location.description
        let store = try await PostgresStore.connect(location)
        let receiver = Receiver()
        let server = await LoopbackServer.start(receiver.router())
        defer { Task { await server.stop() } }
        let environment = ProcessInfo.processInfo.environment.merging([
            "METL_DATABASE": url, "METL_WEBHOOKS_ALLOW_PRIVATE": "true", "METL_LOG_LEVEL": "error",
            // Generous for a loaded machine (a timeout is a failure, and a failure is sent again); the lease
            // of a killed worker lasts these plus 30 s.
            "METL_WEBHOOKS_TIMEOUT": "5s", "METL_WEBHOOKS_CONNECT_TIMEOUT": "1s", "METL_WEBHOOKS_CONCURRENCY": "8",
        ]) { $1 }
        func worker(_ arguments: String...) throws -> Process {
            let process = Process()
            process.executableURL = CLI.binary
            process.arguments = ["webhooks", "work"] + arguments
            process.environment = environment
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            return process
        }
        // Unfunded: every credit fails its funds check at intake, one payment.failed event each.
        let merchant = try await store.addMerchant(name: "acme", companyID: "1234567890", companyName: "ACME")
        _ = try await store.addWebhookEndpoint(merchantID: merchant.id, url: "http://127.0.0.1:\(server.port)/hook", eventTypes: [],
                                               secret: "whsec_" + UUID().uuidString, idempotencyKey: nil)
        _ = try await store.intake(try (0..<300).map { _ in try Requests.intake(merchant) })
        let first = try await store.webhookDeliveries(status: .pending, limit: 10_000).map(\.eventID)
        #expect(first.count == 300)

        // Nothing fails: every event once, whichever worker sent it.
        let workers = try [worker("--drain", "--drain-timeout", "60s"), worker("--drain", "--drain-timeout", "60s")]
        for process in workers { process.waitUntilExit() }
        #expect(workers.allSatisfy { $0.terminationStatus == 0 })
        let once = receiver.receipts.withLock { $0 }
        #expect(Set(once.keys) == Set(first))
        // At least once: a second send only ever follows a failed attempt the outbox recorded (a timeout on
        // a loaded machine); two workers never send one attempt, so each event has one successful attempt.
        for id in first {
            let attempts = try await store.webhookAttempts(eventID: id)
            #expect(attempts.filter { ($0.statusCode ?? 0) / 100 == 2 }.count == 1, "one successful attempt of \(id)")
            #expect(once[id] == attempts.count, "\(id) sent once per recorded attempt")
        }

        // A worker killed with deliveries in flight: after its leases expire, the other sends them again.
        _ = try await store.intake(try (0..<40).map { _ in try Requests.intake(merchant) })
        let second = Set(try await store.webhookDeliveries(status: .pending, limit: 10_000).map(\.eventID))
        receiver.delay.withLock { $0 = .seconds(30) }
        let doomed = try worker()
        let deadline = ContinuousClock.now + .seconds(30)
        while receiver.receipts.withLock({ $0.count }) == once.count, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        kill(doomed.processIdentifier, SIGKILL)
        doomed.waitUntilExit()
        let heldByTheDead = Set(receiver.receipts.withLock { $0 }.keys).subtracting(once.keys)
        #expect(!heldByTheDead.isEmpty, "the killed worker was sending when it died")
        receiver.delay.withLock { $0 = nil }
        let survivor = try worker("--drain", "--drain-timeout", "90s")
        survivor.waitUntilExit()
        #expect(survivor.terminationStatus == 0)
        let after = receiver.receipts.withLock { $0 }
        #expect(second.isSubset(of: Set(after.keys)), "every event delivered")
        for id in heldByTheDead { #expect(after[id] == 2, "sent again after the dead worker's lease") }
        #expect(try await store.webhookDeliveryCount(status: .pending) == 0)
        #expect(try await store.webhookDeliveryCount(status: .delivered) == 340)
    }
}
