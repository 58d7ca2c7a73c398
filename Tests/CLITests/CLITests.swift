import Foundation
import Testing
import TestSupport

/// Runs the built `metl` executable as a user would, checking output and exit codes.
struct CLI {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("metl")
    /// `METL_CLOCK` for the day `fixtures/payments/demo.csv` (effective 2026-11-24) was written for, as `make demo` sets it.
    static let demoClock = "2026-11-23T14:30"

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String

        /// The items of a list command's `--json` page (`{"data": […], "next_cursor": …}`).
        var listed: [[String: Any]]? {
            ((try? JSONSerialization.jsonObject(with: Data(stdout.utf8))) as? [String: Any])?["data"] as? [[String: Any]]
        }
    }

    /// Runs `metl ARGUMENTS` in the project's root with the test's environment plus `environment`.
    /// Through `Spawn`, not Foundation's `Process`, which crashes intermittently on Linux.
    static func run(_ arguments: [String], environment: [String: String] = [:], stdin: Data? = nil) throws -> Result {
        let result = try Spawn.run(binary.path, arguments, environment: ProcessInfo.processInfo.environment.merging(environment) { $1 },
                                   directory: root.path, stdin: stdin)
        return Result(status: result.status, stdout: String(decoding: result.stdout, as: UTF8.self),
                      stderr: String(decoding: result.stderr, as: UTF8.self))
    }

    /// `run` on a thread of its own, for a test that runs many commands: waiting for each must not
    /// hold one of the cooperative pool's few threads from the tests running beside it.
    static func detached(_ arguments: [String], environment: [String: String] = [:]) async throws -> Result {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(with: Swift.Result { try run(arguments, environment: environment) }) }
        }
    }
}

@Suite(.serialized) struct CLITests {
    @Test func validateValidFixturesExitsZero() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: CLI.root.appendingPathComponent("fixtures/nacha").path)
            .filter { $0.hasSuffix(".ach") }.map { "fixtures/nacha/\($0)" }
        #expect(files.count == 8)
        let result = try CLI.run(["validate", "--strict"] + files)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.isEmpty)
    }

    /// What other software sends passes `validate` with warnings, and `--strict` refuses exactly those.
    @Test func tolerantFixturesPassWithWarningsAndStrictRefusesThem() throws {
        let directory = CLI.root.appendingPathComponent("fixtures/nacha/tolerant").path
        let files = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".ach") }.sorted()
        #expect(files.count == 11)
        for file in files.map({ "\(directory)/\($0)" }) {
            let tolerant = try CLI.run(["validate", file])
            #expect(tolerant.status == 0, "\(file): \(tolerant.stdout)")
            let warned = tolerant.stdout.contains(": warning ")
            #expect(!tolerant.stdout.contains(": error "))
            #expect(try CLI.run(["validate", "--strict", file]).status == (warned ? 1 : 0), "\(file)")
        }
        let aligned = try CLI.run(["validate", "\(directory)/company-id-aligned-apart.ach"])
        #expect(aligned.stdout.contains("warning BC-COMPANY-ID-ALIGNMENT"))
        #expect(aligned.stderr.contains("0 errors, 1 warning in"))
    }

    @Test func validateMalformedFixturePrintsExpectedDiagnostics() throws {
        let directory = "fixtures/nacha/malformed"
        let expected = try String(contentsOf: CLI.root.appendingPathComponent("\(directory)/bad-check-digit.expected"), encoding: .utf8)
        let result = try CLI.run(["validate", "\(directory)/bad-check-digit.ach"])
        #expect(result.status == 1)
        #expect(result.stdout == expected.replacingOccurrences(of: "bad-check-digit.ach:", with: "\(directory)/bad-check-digit.ach:"))
    }

    @Test func validateJSONAndStandardInput() throws {
        let bytes = try Data(contentsOf: CLI.root.appendingPathComponent("fixtures/nacha/malformed/wrong-entry-hash.ach"))
        let result = try CLI.run(["validate", "--json", "-"], stdin: bytes)
        #expect(result.status == 1)
        let reports = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]]
        let diagnostic = (reports?.first?["diagnostics"] as? [[String: Any]])?.first
        #expect(diagnostic?["code"] as? String == "BC-ENTRY-HASH")
        #expect(diagnostic?["positions"] as? [Int] == [11, 20])
        #expect(diagnostic?["field"] as? String == "entry_hash")
    }

    @Test func aMissingFileIsUnreadableInputWithTheSystemsReason() throws {
        let result = try CLI.run(["validate", "no/such/file.ach"])
        #expect(result.status == 3)
        #expect(result.stderr.contains("no/such/file.ach"))
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("metl-missing-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let environment = ["METL_DATABASE": directory.appendingPathComponent("metl.sqlite").path]
        #expect(try CLI.run(["merchants", "add", "acme", "--company-id", "1234567890", "--company-name", "ACME"], environment: environment).status == 0)
        for arguments in [["payments", "create", "--merchant", "acme", "--idempotency-key", UUID().uuidString.lowercased(), "--json", "missing.json"],
                          ["ingest", "/nonexistent/ack.txt"], ["payments", "import", "missing.csv", "--merchant", "acme"]] {
            let missing = try CLI.run(arguments, environment: environment)
            #expect(missing.status == 3, "\(arguments)")
            #expect(missing.stderr.hasPrefix("metl: cannot open "), "\(missing.stderr)")
            #expect(missing.stderr.contains("No such file or directory") && !missing.stderr.contains("NSCocoaErrorDomain"), "\(missing.stderr)")
            #expect(!missing.stderr.contains("Usage:"))
        }
        // A mistyped path among good ones: nothing is applied, and every unreadable path is named.
        let some = try CLI.run(["ingest", "fixtures/inbound/ack-accepted.txt", "/nonexistent/a.txt", "/nonexistent/b.txt"], environment: environment)
        #expect(some.status == 3 && some.stderr.contains("/nonexistent/a.txt") && some.stderr.contains("/nonexistent/b.txt"), "\(some.stderr)")
        #expect(try CLI.run(["ingest", "list"], environment: environment).stdout.contains("no inbound files"))
        let fresh = ["METL_DATABASE": directory.appendingPathComponent("fresh.sqlite").path]
        #expect(try CLI.run(["ingest", "/nonexistent/ack.txt"], environment: fresh).status == 3)
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("fresh.sqlite").path), "bad input creates no database")
    }

    /// Help is the parser's, on stdout with exit 0, however it is asked for; every command's ends
    /// with the exit codes, and options show their defaults.
    @Test func helpPrintsOnStdoutWithTheExitCodesAndDefaults() throws {
        for arguments in [["--help"], ["help", "ingest"], ["payments", "list", "--help"], ["files", "show", "--help"], ["cutoff", "-h"]] {
            let help = try CLI.run(arguments)
            #expect(help.status == 0 && help.stderr.isEmpty, "\(arguments): \(help.stderr)")
            #expect(help.stdout.hasPrefix("OVERVIEW: ") && help.stdout.contains("Exit codes: 0 ok, 1 findings"), "\(arguments)")
        }
        let cutoff = try CLI.run(["cutoff", "--help"]).stdout.replacingOccurrences(of: "\n", with: " ")
            .replacingOccurrences(of: "  +", with: " ", options: .regularExpression)
        #expect(cutoff.contains("default 99999999999") && cutoff.contains("default 50000"), "--max-amount and --max-entries show their defaults")
    }

    /// A file of another format is refused once with what it looks like, not a diagnostic per line;
    /// a NACHA file that lost its header still gets its diagnostics.
    @Test func validateAndInspectSayWhatAFileThatIsNotNACHALooksLike() throws {
        for (arguments, looksLike) in [(["validate", "README.md"], "text"), (["inspect", "fixtures/inbound/settlement.bai2"], "a BAI2 report"),
                                       (["validate", "fixtures/inbound/ack-accepted.txt"], "a FedACH acknowledgement"),
                                       (["inspect", "--json", "/dev/null"], "an empty file")] {
            let refused = try CLI.run(arguments)
            #expect(refused.status == 3, "\(arguments)")
            #expect(refused.stderr == "metl: \(arguments.last!): not a NACHA file (looks like \(looksLike))\n", "\(refused.stderr)")
            #expect(refused.stdout.isEmpty)
        }
        let headless = FileManager.default.temporaryDirectory.appendingPathComponent("headless-\(UUID().uuidString).ach")
        defer { try? FileManager.default.removeItem(at: headless) }
        let text = try String(contentsOfFile: "fixtures/inbound/returns.ach", encoding: .utf8)
        try text.split(separator: "\n").dropFirst().joined(separator: "\n").write(to: headless, atomically: true, encoding: .utf8)
        let diagnosed = try CLI.run(["validate", headless.path])
        #expect(diagnosed.status == 1 && diagnosed.stdout.contains("error"), "\(diagnosed.stdout)")

        // A valid File Header first makes a NACHA file, however damaged what follows: findings (exit 1)
        // at the first bad record, never "not a NACHA file". Records run together and cut short, a
        // byte-order mark before the header, lines of 96 characters.
        let records = text.split(separator: "\n").map(String.init)
        let damaged: [(name: String, bytes: [UInt8], diagnostic: String)] = [
            ("cut", Array(records.joined().utf8.dropLast(50)), "REC-LONG-LINE"),
            ("bom", [0xEF, 0xBB, 0xBF] + Array(text.utf8), "1:1: error"),
            ("wide", Array(records.map { $0 + "XX" }.joined(separator: "\n").utf8), "2:1: error REC-LONG-LINE line is 96 characters"),
        ]
        for (name, bytes, diagnostic) in damaged {
            let path = headless.deletingLastPathComponent().appendingPathComponent("\(name)-\(UUID().uuidString).ach")
            defer { try? FileManager.default.removeItem(at: path) }
            try Data(bytes).write(to: path)
            for command in ["validate", "inspect"] {
                let run = try CLI.run([command, path.path])
                #expect(run.status == 1, "\(command) \(name): \(run.status) \(run.stderr)")
                #expect(!run.stderr.contains("not a NACHA file"), "\(command) \(name)")
            }
            let validated = try CLI.run(["validate", path.path]).stdout
            #expect(validated.contains(diagnostic), "\(name): \(validated)")
        }
    }

    @Test func errorsThatAreNotUsageErrorsPrintNoUsageAndCountsMustBePositive() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("metl-errors-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = directory.appendingPathComponent("metl.sqlite").path
        let environment = ["METL_DATABASE": database]
        // A read-only command never creates a database.
        let empty = try CLI.run(["files", "list"], environment: environment)
        #expect(empty.status == 8)
        #expect(empty.stderr == "metl: no database at \(database); pass --database or set METL_DATABASE\n")
        #expect(!FileManager.default.fileExists(atPath: database))
        #expect(try CLI.run(["merchants", "add", "acme", "--company-id", "1234567890", "--company-name", "ACME"], environment: environment).status == 0)
        #expect(FileManager.default.fileExists(atPath: database))

        let state = try CLI.run(["payments", "list", "--state", "NOPE"], environment: environment)
        #expect(state.status == 2)
        #expect(state.stderr.hasPrefix("metl: unknown state NOPE; one of P_CREATED") && !state.stderr.contains("Usage:"))
        let limit = try CLI.run(["payments", "list", "--limit", "-1"], environment: environment)
        #expect(limit.status == 2)
        #expect(limit.stderr.hasPrefix("metl: --limit must be a positive number, not -1") && !limit.stderr.contains("Usage:"), "a value, not a usage error")
        // Every missing cutoff setting at once, not one a run.
        let cutoff = try CLI.run(["cutoff"], environment: environment)
        #expect(cutoff.status == 8)
        for option in ["--odfi-routing", "--immediate-destination", "--origin-name", "--destination-name", "--destination"] {
            #expect(cutoff.stderr.contains(option), "\(option)")
        }
        // A dry run sends nothing, so it needs no destination.
        let dryRun = try CLI.run(["cutoff", "--dry-run", "-"], environment: environment.merging([
            "METL_ODFI_ROUTING": "121042882", "METL_IMMEDIATE_DESTINATION": "091000019", "METL_ORIGIN_NAME": "A", "METL_DESTINATION_NAME": "B"]) { $1 })
        #expect(dryRun.status == 0, "\(dryRun.stderr)")
    }

    @Test func inspectShowsFieldsMeaningsAndTotals() throws {
        let result = try CLI.run(["inspect", "fixtures/nacha/returns.ach"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("addenda 99 (return)"))
        #expect(result.stdout.contains("[R01]  (Insufficient funds)"))
        #expect(result.stdout.contains("(checking credit (return or NOC))") || result.stdout.contains("(checking credit"))
        #expect(result.stdout.contains("($1,250.00)"))
        #expect(result.stdout.contains("2026-11-23"))
        #expect(result.stdout.contains("total_credit"))
        #expect(!result.stdout.contains("MISMATCH"))

        let broken = try CLI.run(["inspect", "fixtures/nacha/malformed/bad-block-count.ach"])
        #expect(broken.status == 1)
        #expect(broken.stdout.contains("MISMATCH"))
        #expect(broken.stdout.contains("FC-BLOCK-COUNT"))
    }

    @Test func inspectJSONIsOneObjectPerRecord() throws {
        let result = try CLI.run(["inspect", "--json", "fixtures/nacha/ctx.ach"])
        #expect(result.status == 0)
        let document = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        let records = document?["records"] as? [[String: Any]]
        #expect(records?.count == 10)
        #expect(records?[2]["type"] as? String == "entry detail (CTX)")
        let fields = records?[2]["fields"] as? [[String: Any]]
        let count = fields?.first { $0["name"] as? String == "number_of_addenda_records" }
        #expect(count?["value"] as? String == "0003")
        #expect(count?["start"] as? Int == 55)
        #expect((document?["diagnostics"] as? [Any])?.isEmpty == true)
        #expect((document?["totals"] as? [[String: Any]])?.allSatisfy { $0["matches"] as? Bool == true } == true)
    }

    @Test func paymentsLifecycleAndExitCodes() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("metl-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let environment = ["METL_DATABASE": directory.appendingPathComponent("metl.sqlite").path, "METL_CLOCK": CLI.demoClock]
        func metl(_ arguments: String..., stdin: String? = nil) throws -> CLI.Result {
            try CLI.run(arguments, environment: environment, stdin: stdin.map { Data($0.utf8) })
        }
        #expect(try metl("merchants", "add", "acme", "--company-id", "1234567890", "--company-name", "ACME").status == 0)
        #expect(try metl("merchants", "add", "acme", "--company-id", "1234567890", "--company-name", "ACME").status == 5)
        #expect(try metl("merchants", "fund", "acme", "200000").status == 0)
        #expect(try metl("merchants", "fund", "nobody", "200000").status == 4)

        // A bad CSV row: exit 3, the line named, nothing imported.
        let csv = try String(contentsOf: CLI.root.appendingPathComponent("fixtures/payments/demo.csv"), encoding: .utf8)
        let broken = csv.replacingOccurrences(of: "JOHN ROE,076401251", with: "JOHN ROE,076401252")
        let rejected = try metl("payments", "import", "-", "--merchant", "acme", stdin: broken)
        #expect(rejected.status == 3)
        #expect(rejected.stderr.contains("line 3: counterparty.routing_number"))
        #expect(try metl("payments", "list", "--json").listed?.isEmpty == true)

        // Header problems never trap: every duplicated column, known or not, is named (exit 3, nothing imported).
        let header = String(csv.prefix(while: { $0 != "\n" }))
        for duplicated in ["amount", "metadata", "idempotency_key", "bogus"] {
            let doubled = csv.replacingOccurrences(of: header, with: header + ",\(duplicated)")
                .split(separator: "\n").enumerated().map { $0.offset == 0 ? String($0.element) : $0.element + ",x" }
                .joined(separator: "\n")
            let refused = try metl("payments", "import", "-", "--merchant", "acme", stdin: doubled)
            #expect(refused.status == 3, "\(duplicated): \(refused.stderr)")
            #expect(refused.stderr.contains("line 1: \(duplicated)"), "\(duplicated): \(refused.stderr)")
            #expect(duplicated == "bogus" || refused.stderr.contains("again column"), "\(duplicated): \(refused.stderr)")
        }
        // A member named twice inside the metadata column is refused like one in an API body.
        let twice = csv.replacingOccurrences(of: #""{""employee"":""E-100""}""#, with: #""{""employee"":""E-100"",""employee"":""E-999""}""#)
        let twiceRefused = try metl("payments", "import", "-", "--merchant", "acme", stdin: twice)
        #expect(twiceRefused.status == 3)
        #expect(twiceRefused.stderr.contains("line 2: metadata.employee"))
        #expect(try metl("payments", "list", "--json").listed?.isEmpty == true)

        // What spreadsheets write: a UTF-8 byte order mark before the header.
        let imported = try metl("payments", "import", "-", "--merchant", "acme", "--json", stdin: "\u{FEFF}" + csv)
        #expect(imported.status == 0)
        let payments = try JSONSerialization.jsonObject(with: Data(imported.stdout.utf8)) as? [[String: Any]]
        #expect(payments?.count == 6)
        #expect(payments?.first?["state"] as? String == "P_VALIDATED")
        #expect(payments?.first?.keys.sorted() == ["amount", "approval", "counterparty", "created_at", "currency", "description", "direction",
                                                   "effective_date", "failure", "id", "merchant_id", "metadata", "profile", "sec_code",
                                                   "settlement", "state", "submission", "updated_at", "version"])
        let again = try metl("payments", "import", "-", "--merchant", "acme", stdin: csv)
        #expect(again.stdout.contains("0 created"))

        let failed = try metl("payments", "list", "--state", "failed", "--json")
        let failedPayments = failed.listed
        let failure = failedPayments?.first?["failure"] as? [String: Any]
        #expect(failure?["code"] as? String == "insufficient_funds")

        let id = try #require(payments?.first?["id"] as? String)
        let shown = try metl("payments", "show", id, "--json")
        let history = (try JSONSerialization.jsonObject(with: Data(shown.stdout.utf8)) as? [String: Any])?["history"] as? [[String: Any]]
        #expect(history?.map { $0["to_state"] as? String } == ["P_CREATED", "P_VALIDATED"])
        #expect(history?.first?["source_line"] as? Int == 2)
        #expect(try metl("payments", "show", "pay_nope").status == 4)
        #expect(try metl("payments", "list", "--state", "bogus").status == 2)
        #expect(try metl("payments", "create", "--merchant", "acme", "--idempotency-key", "not-a-uuid", "--json", "-", stdin: "{}").status == 3)
    }
}
