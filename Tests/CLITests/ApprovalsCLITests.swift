import Foundation
import Payments
import SQLiteStore
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// Four-eyes approval through the real binary: a bank profile whose rule holds every file for two
/// approvers and payments over $50,000 for one; an operator who makes, approvers who decide with
/// their password (and TOTP code), and the cutoff that sends only what they released.
@Suite(.serialized) struct ApprovalsCLITests {
    /// A directory with a configuration file: profile `primary` sending to `bank/` (or `destination`),
    /// approvals as the issue's example, password files `good` and `bad`, and the TOTP sealing key.
    struct Setup {
        let directory: String
        var config: String { directory + "/metl.json" }
        var bank: String { directory + "/bank" }
        var database: String { directory + "/metl.sqlite" }
        var good: String { directory + "/good" }
        var bad: String { directory + "/bad" }
        var key: String { directory + "/secrets.key" }
        let secretsKey: [UInt8]

        init(profile extra: [String: Any] = [:], fileApprovers: Int = 2) throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("metl-approvals-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: directory + "/bank", withIntermediateDirectories: true)
            secretsKey = Array(Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString().utf8)
            try Data(secretsKey).write(to: URL(fileURLWithPath: directory + "/secrets.key"))
            try "correct horse battery\n".write(toFile: directory + "/good", atomically: true, encoding: .utf8)
            try "wrong horse battery!\n".write(toFile: directory + "/bad", atomically: true, encoding: .utf8)
            var profile: [String: Any] = [
                "odfi": ["routing": "121042882", "immediate_destination": "091000019", "origin_name": "PRIMARY BANK", "destination_name": "FED"],
                "destinations": ["ach": "file://\(directory)/bank"],
                "time_zone": "America/New_York",
                "approvals": ["files": ["approvers": fileApprovers, "over_cents": 0], "payments": ["approvers": 1, "over_cents": 5_000_000]],
            ]
            profile.merge(extra) { $1 }
            let configuration: [String: Any] = ["database": directory + "/metl.sqlite", "default_profile": "primary",
                                                "profiles": ["primary": profile]]
            try JSONSerialization.data(withJSONObject: configuration, options: [.prettyPrinted, .sortedKeys])
                .write(to: URL(fileURLWithPath: directory + "/metl.json"))
        }

        func metl(_ arguments: [String], clock: String = CLI.demoClock) throws -> CLI.Result {
            try CLI.run(arguments, environment: ["METL_CONFIG": config, "METL_CLOCK": clock, "METL_SECRETS_KEY_FILE": key,
                                                 "METL_OPERATOR": "nobody"])
        }

        func metl(_ arguments: String..., clock: String = CLI.demoClock) throws -> CLI.Result { try metl(arguments, clock: clock) }

        /// root (admin), olga (operator, the maker; approver too, to prove the maker rule), alice
        /// and bob (approvers), a funded merchant, and olga's import of the demo CSV.
        func people() throws {
            #expect(try metl("operators", "add", "root", "--role", "admin", "--password-file", good, "--operator", "root").status == 0)
            for (name, roles) in [("olga", "operator,approver"), ("alice", "approver"), ("bob", "approver")] {
                #expect(try metl("operators", "add", name, "--role", roles, "--password-file", good, "--operator", "root").status == 0)
            }
            #expect(try metl("merchants", "add", "acme", "--company-id", "1234567890", "--company-name", "ACME", "--operator", "root").status == 0)
            #expect(try metl("merchants", "fund", "acme", "100000000", "--operator", "root").status == 0)
        }

        func pending() throws -> [[String: Any]] {
            let listed = try metl("approvals", "list", "--pending", "--json")
            return ((try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [String: Any])?["pending"] as? [[String: Any]]) ?? []
        }

        func bankFiles() throws -> [String] { try FileManager.default.contentsOfDirectory(atPath: bank).sorted() }

        func json(_ result: CLI.Result) -> [String: Any] {
            (try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]) ?? [:]
        }
    }

    @Test func aFileWaitsForTwoApproversNotItsMakerAndTheNextCutoffSendsIt() throws {
        let setup = try Setup()
        defer { try? FileManager.default.removeItem(atPath: setup.directory) }
        try setup.people()
        #expect(try setup.metl("payments", "import", "fixtures/payments/demo.csv", "--merchant", "acme", "--operator", "olga").status == 0)
        let held = try setup.metl("cutoff")
        #expect(held.status == 0 && held.stdout.contains("1 file awaiting approval"), "\(held.stdout)\(held.stderr)")
        #expect(try setup.bankFiles().isEmpty, "nothing leaves before approval")
        let file = try #require(try setup.pending().first)
        let id = try #require(file["id"] as? String)
        #expect(file["subject"] as? String == "file" && file["required"] as? Int == 2 && file["given"] as? Int == 0)

        let shown = try setup.metl("approvals", "show", id)
        #expect(shown.status == 0 && shown.stdout.contains("archived bytes matches") && shown.stdout.contains("made by olga"), "\(shown.stdout)")
        let review = setup.json(try setup.metl("approvals", "show", id, "--json"))
        let sha = try #require(review["sha256"] as? String)
        // What the approver decides on: the file's sums per merchant and company add up to its totals, its largest items first.
        let byMerchant = try #require(review["by_merchant"] as? [[String: Any]])
        #expect(byMerchant.count == 1 && byMerchant.first?["items"] as? Int == 6 && byMerchant.first?["name"] as? String == "acme")
        #expect(byMerchant.first?["debit"] as? Int == 17_999 && byMerchant.first?["credit"] as? Int == 1_573_050)
        #expect((review["by_company"] as? [[String: Any]])?.first?["key"] as? String == "1234567890")
        let largest = try #require(review["largest"] as? [[String: Any]])
        #expect(largest.count == 5 && largest.first?["amount"] as? Int == 900_000 && largest.first?["account"] as? String == "****2222")
        #expect(review["makers"] as? [String] == ["olga"] && review["archived_bytes"] as? String == "matches")

        let byMaker = try setup.metl("approvals", "approve", id, "--password-file", setup.good, "--operator", "olga")
        #expect(byMaker.status == 10 && byMaker.stderr.contains("the maker never approves"), "\(byMaker.stderr)")
        #expect(try setup.metl("approvals", "approve", id, "--password-file", setup.good, "--operator", "alice").status == 0)
        let twice = try setup.metl("approvals", "approve", id, "--password-file", setup.good, "--operator", "alice")
        #expect(twice.status == 5 && twice.stderr.contains("one person counts once"))
        let wrongPassword = try setup.metl("approvals", "approve", id, "--password-file", setup.bad, "--operator", "bob")
        #expect(wrongPassword.status == 10 && wrongPassword.stderr.contains("credentials of bob were refused"))
        let notShown = try setup.metl("approvals", "approve", id, "--password-file", setup.good, "--operator", "bob",
                                      "--sha256", String(repeating: "0", count: 64))
        #expect(notShown.status == 5 && notShown.stderr.contains("not what was shown"))
        #expect(try setup.pending().first?["given"] as? Int == 1, "refusals changed nothing")

        let oneIsNotEnough = try setup.metl("cutoff")
        #expect(oneIsNotEnough.status == 0 && oneIsNotEnough.stdout.contains("0 uploaded"))
        #expect(try setup.bankFiles().isEmpty)
        let second = try setup.metl("approvals", "approve", id, "--password-file", setup.good, "--operator", "bob", "--sha256", sha)
        #expect(second.status == 0 && second.stdout.contains("released"), "\(second.stdout)\(second.stderr)")
        #expect(try setup.pending().isEmpty)
        let sent = try setup.metl("cutoff", "--json")
        #expect(sent.status == 0, "\(sent.stderr)")
        let names = try setup.bankFiles()
        #expect(names.count == 1)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: setup.bank + "/" + (names.first ?? "")))
        #expect(SHA256Digest.hex([UInt8](bytes)) == sha, "the bank has exactly the bytes approved")
        let decisions = try #require((setup.json(try setup.metl("approvals", "list", "--json"))["decisions"] as? [String: Any])?["data"] as? [[String: Any]])
        #expect(decisions.compactMap { $0["approver"] as? String }.sorted() == ["alice", "bob"])
        #expect(decisions.allSatisfy { $0["sha256"] as? String == sha })
    }

    @Test func paymentsOverTheThresholdWaitForOneApproverWithPasswordAndASingleUseCode() async throws {
        let setup = try Setup()
        defer { try? FileManager.default.removeItem(atPath: setup.directory) }
        try setup.people()
        let document = setup.directory + "/big.json"
        try #"{"amount": 7500000, "direction": "credit", "sec_code": "PPD", "description": "PAYROLL", "effective_date": "2026-11-24", "counterparty": {"name": "BIG CO", "routing_number": "121042882", "account_number": "12345678", "account_type": "checking"}}"#
            .write(toFile: document, atomically: true, encoding: .utf8)
        func create() throws -> String {
            let created = try setup.metl("payments", "create", "--merchant", "acme", "--idempotency-key", UUID().uuidString, "--json", document,
                                         "--operator", "olga")
            #expect(created.status == 0, "\(created.stderr)")
            let payment = setup.json(created)
            #expect(payment["state"] as? String == "P_CREATED" && payment["approval"] as? [String: Int] == ["required": 1, "given": 0])
            return payment["id"] as? String ?? ""
        }
        let approved = try create(), rejected = try create(), third = try create()

        // bob enrols in TOTP: from now on his password alone is not enough, and a code counts once.
        let secret = TOTP.makeSecret()
        let store = try SQLiteStore(path: setup.database)
        let root = try await store.operatorNamed("root")
        _ = try await store.changeOperator(named: "bob", by: root, at: Date()) { $0.sealedTOTPSecret = try SealedSecret(keyFile: setup.secretsKey).seal(secret) }
        let code = TOTP.code(secret: secret, step: TOTP.step(at: Date()))
        let noCode = try setup.metl("approvals", "approve", approved, "--password-file", setup.good, "--operator", "bob")
        #expect(noCode.status == 10)
        let withCode = try setup.metl("approvals", "approve", approved, "--password-file", setup.good, "--operator", "bob", "--totp-code", code)
        #expect(withCode.status == 0 && withCode.stdout.contains("now P_VALIDATED"), "\(withCode.stdout)\(withCode.stderr)")
        let reused = try setup.metl("approvals", "approve", third, "--password-file", setup.good, "--operator", "bob", "--totp-code", code)
        #expect(reused.status == 10 && reused.stderr.contains("credentials of bob were refused"), "a code counts once")
        #expect(try await store.payment(id: third).approval?.given == 0)

        let refusal = try setup.metl("approvals", "reject", rejected, "--reason", "not on the payroll", "--password-file", setup.good,
                                     "--operator", "alice")
        #expect(refusal.status == 0, "\(refusal.stderr)")
        let failed = setup.json(try setup.metl("payments", "show", rejected, "--json"))
        let payment = failed["payment"] as? [String: Any] ?? failed
        #expect(payment["state"] as? String == "P_FAILED")
        #expect((payment["failure"] as? [String: Any])?["code"] as? String == "rejected_by_approver")
        #expect(try await store.payment(id: approved).state == .validated)
        #expect(try await store.history(paymentID: approved).map(\.actor.rawValue) == ["olga", "bob", "bob"])
    }

    @Test func anUnapprovedFileExpiresWhenItsWindowClosesAndARejectedOneNeverReachesTheBank() async throws {
        let setup = try Setup()
        defer { try? FileManager.default.removeItem(atPath: setup.directory) }
        try setup.people()
        #expect(try setup.metl("payments", "import", "fixtures/payments/demo.csv", "--merchant", "acme", "--operator", "olga").status == 0)
        #expect(try setup.metl("cutoff").status == 0)
        let first = try #require(try setup.pending().first?["id"] as? String)
        // No windows: the file may be approved until the end of its banking day in New York.
        let late = try setup.metl("approvals", "approve", first, "--password-file", setup.good, "--operator", "alice", clock: "2026-11-24T09:00")
        #expect(late.status == 5 && late.stderr.contains("approval window"), "\(late.stderr)")
        let nextDay = try setup.metl("cutoff", clock: "2026-11-24T09:00")
        #expect(nextDay.status == 0 && nextDay.stderr.contains("ALERT file") && nextDay.stderr.contains("expired"), "\(nextDay.stdout)\(nextDay.stderr)")
        #expect(nextDay.stdout.contains("1 file awaiting approval") && nextDay.stdout.contains("1 expired unapproved"))
        let second = try #require(try setup.pending().first?["id"] as? String)
        #expect(second != first, "the next window's file asks again")
        let expired = setup.json(try setup.metl("files", "show", first, "--json"))
        #expect(expired["status"] as? String == "expired")

        let rejection = try setup.metl("approvals", "reject", second, "--reason", "wrong batch", "--password-file", setup.good,
                                       "--operator", "bob", clock: "2026-11-24T09:05")
        #expect(rejection.status == 0, "\(rejection.stderr)")
        let store = try SQLiteStore(path: setup.database)
        for payment in try await store.payments(PaymentQuery(limit: 100)) {
            #expect(payment.state == .validated && payment.submission == nil)
            #expect(try await store.history(paymentID: payment.id).suffix(2).map(\.reasonCode) == ["file_expired", "file_rejected"])
        }
        let afterReject = try setup.metl("files", "retry", second, "--operator", "olga", clock: "2026-11-24T09:06")
        #expect(afterReject.status != 0, "a rejected file is never sent")
        #expect(try setup.bankFiles().isEmpty)
        #expect(try setup.metl("approvals", "approve", second, "--password-file", setup.good, "--operator", "alice",
                               clock: "2026-11-24T09:07").status == 5)
    }

    @Test func approversRacingFromSeveralProcessesCountExactly() async throws {
        let setup = try Setup()
        defer { try? FileManager.default.removeItem(atPath: setup.directory) }
        try setup.people()
        for name in ["carol", "dave"] {
            #expect(try setup.metl("operators", "add", name, "--role", "approver", "--password-file", setup.good, "--operator", "root").status == 0)
        }
        #expect(try setup.metl("payments", "import", "fixtures/payments/demo.csv", "--merchant", "acme", "--operator", "olga").status == 0)
        #expect(try setup.metl("cutoff").status == 0)
        let id = try #require(try setup.pending().first?["id"] as? String)
        let statuses = try await withThrowingTaskGroup(of: Int32.self) { group in
            for name in ["alice", "bob", "carol", "dave"] {
                group.addTask {
                    try await CLI.detached(["approvals", "approve", id, "--password-file", setup.good, "--operator", name],
                                           environment: ["METL_CONFIG": setup.config, "METL_CLOCK": CLI.demoClock]).status
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(statuses.sorted() == [0, 0, 5, 5], "two count, two find it released")
        let store = try SQLiteStore(path: setup.database)
        #expect(try await store.approvals(subjectIDs: [id]).map(\.ordinal) == [1, 2])
        #expect(try await store.outboundFile(id: id).status == .rendered)
    }

    /// The last approval is written; the cutoff that sends the file is then killed with SIGKILL at
    /// arbitrary moments, again and again, before a run is let finish: the bank has the approved
    /// bytes exactly once and every payment in them is submitted once.
    @Test func anApprovedFileWhoseCutoffIsKilledAgainAndAgainIsSentExactlyOnce() async throws {
        let server = try SSHServer.start()
        defer { server.stop() }
        let setup = try Setup(profile: ["destinations": ["ach": "sftp://\(server.username)@127.0.0.1:\(server.port)\(server.root)"],
                                        "sftp": ["identity_file": server.clientKeyPath, "known_hosts": server.knownHostsPath]], fileApprovers: 1)
        defer { try? FileManager.default.removeItem(atPath: setup.directory) }
        try setup.people()
        let store = try SQLiteStore(path: setup.database)
        let merchant = try await store.merchant("acme")
        _ = try await store.intake((0..<300).map { index in
            var intake = try Requests.intake(merchant, Requests.credit(amount: Int64(1_000 + index)))
            intake.actor = Actor(rawValue: "olga")
            return intake
        })
        #expect(try setup.metl("cutoff").status == 0)
        let id = try #require(try setup.pending().first?["id"] as? String)
        #expect(try setup.metl("approvals", "approve", id, "--password-file", setup.good, "--operator", "alice").status == 0)

        var killed = 0
        for _ in 0..<6 {
            let process = Process()
            process.executableURL = CLI.binary
            process.arguments = ["cutoff"]
            process.environment = ProcessInfo.processInfo.environment.merging(["METL_CONFIG": setup.config, "METL_CLOCK": CLI.demoClock]) { $1 }
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            try await Task.sleep(for: .milliseconds(Int.random(in: 20...250)))
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                killed += 1
            }
            process.waitUntilExit()
        }
        let final = try await CLI.detached(["cutoff"], environment: ["METL_CONFIG": setup.config, "METL_CLOCK": CLI.demoClock])
        #expect(final.status == 0, "\(final.stderr)")

        let file = try await store.outboundFile(id: id)
        #expect(file.status == .uploaded && file.approval?.isComplete == true)
        #expect(try await store.outboundFiles(statuses: nil).map(\.id) == [id], "no second file")
        #expect(try FileManager.default.contentsOfDirectory(atPath: server.root) == [file.name], "one remote file, no .part left")
        #expect(FileManager.default.contents(atPath: server.root + "/" + file.name).map { SHA256Digest.hex([UInt8]($0)) } == file.sha256)
        for payment in try await store.payments(PaymentQuery(limit: 1_000)) {
            #expect(payment.state == .submittedToCore)
            #expect(try await store.history(paymentID: payment.id).filter { $0.toState == .submittedToCore }.count == 1)
        }
        #expect(killed > 0, "at least one run was killed on its way")
    }
}
