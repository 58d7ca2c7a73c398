import BankFiles
import Foundation
import Payments
import Pipeline
import SQLiteStore
import Testing
import TestSupport

/// The real `metl ingest` on hostile bank files: sums past 64 bits, damaged lines, signs where the
/// format allows none, a trailing Ctrl-Z. Each ends in a clear exit status (never a crash), and a
/// refused file changes no check; a good file after a bad one in the same directory is still read.
@Suite(.serialized) struct HostileBankFileTests {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("metl-hostile-\(UUID().uuidString)")
    var database: String { directory.appendingPathComponent("metl.sqlite").path }
    var environment: [String: String] {
        ["METL_DATABASE": database, "METL_POSITIVE_PAY_DESTINATION": "file://\(directory.path)/outbox", "METL_CLOCK": CLI.demoClock]
    }

    func metl(_ arguments: String...) throws -> CLI.Result { try CLI.run(arguments, environment: environment) }

    /// A merchant, an enrolled account and the demo's three checks, sent to the bank.
    func sentChecks() throws {
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("inbound"), withIntermediateDirectories: true)
        #expect(try metl("merchants", "add", "m", "--company-id", "1234567890", "--company-name", "M INC").status == 0)
        let enrolled = try metl("checks", "accounts", "add", "m", "--routing", "121042882", "--account-number", "123456789",
                                "--layout", "arp", "--json")
        let account = try #require(try JSONSerialization.jsonObject(with: Data(enrolled.stdout.utf8)) as? [String: Any])["id"] as? String
        for check in PositivePayLifecycleTests.checks {
            let document = #"{"account_id": "\#(account ?? "")", "serial": "\#(check.serial)", "amount": \#(check.amount), "issue_date": "2026-11-23", "payee": "\#(check.payee)"}"#
            let issued = try CLI.run(["checks", "issue", "--merchant", "m", "--idempotency-key", UUID().uuidString.lowercased(), "--json", "-"],
                                     environment: environment, stdin: Data(document.utf8))
            #expect(issued.status == 0, "\(issued.stderr)")
        }
        #expect(try metl("cutoff", "--kind", "positive-pay").status == 0)
    }

    /// Every check's state and version: what "nothing changed" compares.
    func checks() async throws -> [String] {
        try await SQLiteStore(path: database).checks(CheckQuery()).map { "\($0.id) \($0.state.rawValue) v\($0.version)" }
    }

    func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        let path = directory.appendingPathComponent("inbound/\(name)").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    func outcomes(_ result: CLI.Result) throws -> [[String: Any]] {
        try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]], "\(result.stdout)\(result.stderr)")
    }

    static func bai2(_ details: [(typeCode: String, amount: String)], total: String) -> [UInt8] {
        var records = ["01,121042882,METL,261123,0600,1,,,2/", "02,METL,121042882,1,261123,2400,USD,2/", "03,123456789,USD,010,0,,/"]
        for (index, detail) in details.enumerated() { records.append("16,\(detail.typeCode),\(detail.amount),0,REF\(index),\(1001 + index),X") }
        records += ["49,\(total),\(2 + details.count)/", "98,\(total),1,\(4 + details.count)/", "99,\(total),1,\(6 + details.count)/"]
        return Array(records.joined(separator: "\n").utf8)
    }

    @Test("hostile files end in exit 1 with the reason and change no check; the good file after them is read")
    func hostileFilesAreQuarantinedAndTheRestRead() async throws {
        try sentChecks()
        let before = try await checks()
        let big = String(Int64.max - 10)
        _ = try write("a-overflow.bai2", Self.bai2([("475", big), ("475", big)], total: "1"))
        _ = try write("b-negative.bai2", Self.bai2([("475", "-125000")], total: "-125000"))
        let record = try ARPFile.render([PositivePayLifecycleTests.arp(.outstanding, PositivePayLifecycleTests.checks[0])], expandedLength: nil)
        _ = try write("c-short-line.txt", Array(record.prefix(93)) + [0x0D, 0x0A])
        let good = try ARPFile.render(PositivePayLifecycleTests.checks.map { PositivePayLifecycleTests.arp(.outstanding, $0) }, expandedLength: nil)
        _ = try write("d-good-with-ctrl-z.txt", good + [EndOfFileMarker.byte])
        let run = try metl("ingest", "--from", directory.appendingPathComponent("inbound").path, "--json")
        #expect(run.status == 1, "\(run.stderr)")
        let byName = Dictionary(try outcomes(run).map { ($0["name"] as? String ?? "", $0) }) { first, _ in first }
        let expected: [(String, String)] = [("a-overflow.bai2", "largest total"), ("b-negative.bai2", "negative amount"),
                                            ("c-short-line.txt", "is 93 characters")]
        for (name, says) in expected {
            #expect(byName[name]?["status"] as? String == "quarantined", "\(name): \(byName[name] ?? [:])")
            #expect((byName[name]?["reason"] as? String)?.contains(says) == true, "\(name): \(byName[name] ?? [:])")
        }
        #expect(byName["d-good-with-ctrl-z.txt"]?["status"] as? String == "processed", "\(byName["d-good-with-ctrl-z.txt"] ?? [:])")
        #expect(byName["d-good-with-ctrl-z.txt"]?["applied"] as? Int == 3)
        let after = try await checks()
        #expect(after.map { $0.split(separator: " ")[1] } == ["P_PROCESSING", "P_PROCESSING", "P_PROCESSING"])
        #expect(before.count == 3)
        // The overflowing report again (moved to archive/ by the run): it repeats its quarantine, exit 1, no crash.
        let again = try metl("ingest", directory.appendingPathComponent("inbound/archive/a-overflow.bai2").path, "--json")
        #expect(again.status == 1, "\(again.status): \(again.stderr)")
        #expect(try outcomes(again).first?["status"] as? String == "quarantined")
        #expect(try await checks() == after)
    }

    @Test("a record matching a serial alone, or a check never sent, is a discrepancy: noted, exit 1, no state change")
    func discrepanciesAreNotedNotApplied() async throws {
        try sentChecks()
        let before = try await checks()
        let checks = PositivePayLifecycleTests.checks
        // A void for 1003 for another amount, and an outstanding record for 1001 issued another day.
        var otherDay = PositivePayLifecycleTests.arp(.outstanding, checks[0])
        otherDay.issueDate = "20261001"
        let path = try write("mismatched.txt", try ARPFile.render([PositivePayLifecycleTests.arp(.void, checks[2], amount: 1), otherDay],
                                                                   expandedLength: nil))
        let run = try metl("ingest", path, "--json")
        #expect(run.status == 1, "\(run.stdout)\(run.stderr)")
        let outcome = try #require(try outcomes(run).first)
        #expect(outcome["status"] as? String == "processed")
        let notes = outcome["notes"] as? [String] ?? []
        #expect(notes.count == 2 && notes.allSatisfy { $0.hasPrefix("discrepancy:") && $0.contains("does not match") }, "\(notes)")
        let after = try await self.checks()
        #expect(after.map { $0.split(separator: " ")[1] } == before.map { $0.split(separator: " ")[1] })
        let history = try await SQLiteStore(path: database).checkHistory(checkID: String(before[2].split(separator: " ")[0]))
        #expect(history.last?.reasonCode == "discrepancy" && history.last?.source?.line == 1)
        #expect(outcome["discrepancies"] as? Int == 2 && outcome["applied"] as? Int == 0 && outcome["noted"] as? Int == 0, "\(outcome)")

        // The list an operator works from: `checks discrepancies` and `reconcile`, both a finding (exit 1).
        let listed = try metl("checks", "discrepancies", "--json")
        #expect(listed.status == 1, "\(listed.stderr)")
        let items = try #require(try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]])
        #expect(items.count == 2 && items.allSatisfy { $0["subject"] as? String == "check" && $0["inbound_file_id"] as? String == outcome["id"] as? String })
        #expect(items.compactMap { $0["line"] as? Int }.sorted() == [1, 2])
        #expect(items.contains { $0["id"] as? String == String(before[2].split(separator: " ")[0]) })
        let reconciled = try metl("reconcile", "--json")
        #expect(reconciled.status == 1)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(reconciled.stdout.utf8)) as? [String: Any])
        #expect((report["discrepancies"] as? [[String: Any]])?.count == 2 && report["needs_attention"] as? Bool == true)
        let table = try metl("checks", "discrepancies")
        #expect(table.stdout.contains("does not match") && table.stdout.contains("1003"), "\(table.stdout)")
    }

    @Test("bad exception records are refused one by one, a number enrolled again is refused, a disabled enrolment matches nothing")
    func badRecordsAndEnrolmentsThroughTheBinary() async throws {
        try sentChecks()
        let before = try await checks()
        let account = try #require(try metl("checks", "accounts", "list", "--json").listed).first?["id"] as? String ?? ""
        // The same number with its leading zeros, for another merchant: refused (exit 5), naming the first enrolment.
        #expect(try metl("merchants", "add", "other", "--company-id", "2222222222", "--company-name", "OTHER").status == 0)
        let again = try metl("checks", "accounts", "add", "other", "--routing", "121042882", "--account-number", "000123456789", "--profile", "arp")
        #expect(again.status == 5 && again.stderr.contains(account) && !again.stderr.contains("000123456789"), "\(again.status) \(again.stderr)")

        // A comma in an id (valid quoted CSV), a full-width serial and a bell in the payee are refused; the good record is taken.
        let deadline = "2026-11-30T17:00:00Z"
        let rows = ["\"EX,1\",123456789,1001,125000,125000,JANE DOE,duplicate,return,\(deadline)",
                    "EX-2,123456789,\u{FF11}002,31025,31025,ACME,duplicate,return,\(deadline)",
                    "EX-3,123456789,1003,7500,7500,BOB\u{07},duplicate,return,\(deadline)",
                    "EX-4,123456789,1099,50000,,UNKNOWN PAYEE,paid_not_issued,return,\(deadline)"]
        let path = try write("exceptions.csv", Array(([CanonicalExceptionFile.header.joined(separator: ",")] + rows).joined(separator: "\r\n").utf8))
        let run = try metl("ingest", path, "--json")
        #expect(run.status == 1, "\(run.stderr)")
        let outcome = try #require(try outcomes(run).first)
        #expect(outcome["status"] as? String == "processed" && outcome["exceptions_opened"] as? Int == 1 && outcome["noted"] as? Int == 3,
                "\(outcome)")
        let listed = try metl("checks", "exceptions", "--json").listed
        #expect(listed?.map { $0["bank_reference"] as? String } == ["EX-4"])
        #expect(try await checks() == before, "no check changed")

        // Disabled, the enrolment matches nothing: the bank's next file naming it is quarantined, no check changes.
        #expect(try metl("checks", "accounts", "disable", account).status == 0)
        #expect(try metl("checks", "accounts", "disable", account).status == 5, "already disabled")
        let arp = try write("outstanding.txt", try ARPFile.render(PositivePayLifecycleTests.checks.map {
            PositivePayLifecycleTests.arp(.outstanding, $0)
        }, expandedLength: nil))
        let held = try metl("ingest", arp, "--json")
        let reason = try outcomes(held).first?["reason"] as? String
        #expect(held.status == 1 && reason?.contains("not enrolled") == true, "\(held.stdout)")
        #expect(try await checks() == before)
    }
}
