import BankFiles
import Foundation
import Payments
import Pipeline
import SQLiteStore
import Testing
import TestSupport

/// The demo's Positive Pay section through the executable: an enrolled account, three checks,
/// the issue file, the bank's ARP output from fixtures/inbound (outstanding, paid with one amount
/// mismatch that opens an exception, a confirmed void), the bank's exception file, a decision and
/// the states they leave. The ARP fixtures are written by this test
/// (METL_WRITE_FIXTURES=1) and checked otherwise.
@Suite(.serialized) struct PositivePayLifecycleTests {
    /// The demo's checks: serial, amount, payee.
    static let checks: [(serial: String, amount: Int64, payee: String)] = [("1001", 125_000, "JANE DOE"), ("1002", 31_025, "ACME SUPPLY"),
                                                                            ("1003", 7_500, "BOB SMITH")]
    static let accountNumber = "000123456789"

    static func arp(_ code: ARPRecord.Code, _ check: (serial: String, amount: Int64, payee: String), amount: Int64? = nil) -> ARPRecord {
        ARPRecord(code: code, accountNumber: "123456789", serial: check.serial, amount: amount ?? check.amount, issueDate: "20261123",
                  paidDate: code == .paid ? "20261124" : nil, additionalData: "BANK REF \(check.serial)")
    }

    @Test func demoPositivePayWithProjectFixtures() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("metl-pp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let database = directory.appendingPathComponent("metl.sqlite").path
        let environment = ["METL_DATABASE": database, "METL_POSITIVE_PAY_DESTINATION": "file://\(directory.path)/outbox",
                           "METL_DECISIONS_DESTINATION": "file://\(directory.path)/decisions", "METL_CLOCK": CLI.demoClock]
        func metl(_ arguments: String...) throws -> CLI.Result { try CLI.run(arguments, environment: environment) }
        #expect(try metl("merchants", "add", "demo-merchant", "--company-id", "1234567890", "--company-name", "METL DEMO INC").status == 0)
        let enrolled = try metl("checks", "accounts", "add", "demo-merchant", "--routing", "121042882", "--account-number", Self.accountNumber,
                                "--layout", "arp", "--json")
        #expect(enrolled.status == 0, "\(enrolled.stderr)")
        let account = try #require(try JSONSerialization.jsonObject(with: Data(enrolled.stdout.utf8)) as? [String: Any])["id"] as? String
        var ids: [String] = []
        for check in Self.checks {
            let document = #"{"account_id": "\#(account ?? "")", "serial": "\#(check.serial)", "amount": \#(check.amount), "issue_date": "2026-11-23", "payee": "\#(check.payee)"}"#
            let issued = try CLI.run(["checks", "issue", "--merchant", "demo-merchant", "--idempotency-key", UUID().uuidString.lowercased(),
                                      "--json", "-"], environment: environment, stdin: Data(document.utf8))
            #expect(issued.status == 0, "\(issued.stderr)")
            ids.append(try #require(try JSONSerialization.jsonObject(with: Data(issued.stdout.utf8)) as? [String: Any])["id"] as? String ?? "")
        }
        let sent = try metl("cutoff", "--kind", "positive-pay")
        #expect(sent.status == 0, "\(sent.stderr)")
        #expect(sent.stdout.contains("3 check records collected"))

        let inbound = LifecycleTests.inbound
        try LifecycleTests.check("arp-outstanding.txt", try BankFileFixtures.arpOutput(Self.checks.map { Self.arp(.outstanding, $0) }))
        try LifecycleTests.check("arp-paid.txt", try BankFileFixtures.arpOutput([Self.arp(.paid, Self.checks[0]),
                                                                                 Self.arp(.paid, Self.checks[1], amount: 31_525)]))
        try LifecycleTests.check("arp-voided.txt", try BankFileFixtures.arpOutput([Self.arp(.void, Self.checks[2])]))
        #expect(try metl("ingest", inbound.appendingPathComponent("arp-outstanding.txt").path).status == 0)
        // The mismatched amount is not a payment: a discrepancy noted on the check for investigation (exit 1).
        let paid = try metl("ingest", inbound.appendingPathComponent("arp-paid.txt").path)
        #expect(paid.status == 1 && paid.stdout.contains("discrepancy") && paid.stdout.contains("$315.25"), "\(paid.stdout)")
        // The bank's exception file presents 1002 for that amount to decide, and a check never issued.
        try LifecycleTests.check("exceptions.csv", Array(([CanonicalExceptionFile.header.joined(separator: ",")] + [
            "EX-1002,123456789,1002,31525,31025,ACME SUPPLY,amount_mismatch,return,2026-11-24T17:00:00Z",
            "EX-1099,123456789,1099,50000,,UNKNOWN PAYEE,paid_not_issued,return,2026-11-24T17:00:00Z",
        ]).map { $0 + "\r\n" }.joined().utf8))
        // Exceptions opened are a finding, as an ARP mismatch is: a person decides them before the deadline.
        #expect(try metl("ingest", inbound.appendingPathComponent("exceptions.csv").path).status == 1)
        let listed = try metl("checks", "exceptions", "--status", "open", "--json")
        let exceptions = try #require(listed.listed)
        #expect(exceptions.count == 2)
        // reconcile lists them, each with its deadline, and they are a finding until decided.
        let reconciled = try metl("reconcile", "--json")
        #expect(reconciled.status == 1)
        let open = try #require((try JSONSerialization.jsonObject(with: Data(reconciled.stdout.utf8)) as? [String: Any])?["exceptions"] as? [[String: Any]])
        #expect(open.count == 2 && open.allSatisfy { $0["lapsed"] as? Bool == false && $0["deadline"] as? String == "2026-11-24T17:00:00.000Z" },
                "\(open)")
        #expect(try metl("reconcile").stdout.contains("decide before 2026-11-24T17:00:00.000Z"))
        let mismatch = try #require(exceptions.first { $0["check_id"] as? String == ids[1] })
        #expect(mismatch["reason"] as? String == "amount_mismatch" && mismatch["presented_amount"] as? Int == 31_525)
        #expect(mismatch["bank_reference"] as? String == "EX-1002", "the bank's id, never one metl made up")
        #expect(exceptions.contains { $0["reason"] as? String == "paid_not_issued" && $0["check_id"] is NSNull })
        // The company returns 1002 before the deadline.
        let exceptionID = mismatch["id"] as? String ?? ""
        #expect(try metl("checks", "decide", exceptionID, "return").status == 3, "a return needs its reason")
        let decided = try metl("checks", "decide", exceptionID, "return", "--reason", "REFER TO MAKER")
        #expect(decided.status == 0)
        // When the schedule sends it, against the bank's deadline (the demo clock's Monday 14:30: Tuesday's 11:30 run, before 17:00).
        #expect(decided.stdout.contains("the next decisions cutoff runs 2026-11-24 11:30") && decided.stdout.contains("the bank's deadline is 2026-11-24"),
                "\(decided.stdout)")
        #expect(!decided.stderr.contains("no decisions cutoff is scheduled before the deadline"))
        #expect(try metl("checks", "decide", exceptionID, "pay").status == 5, "decided already")
        // The exception and its decision, as an auditor reads them; the bank file that opened both exceptions.
        let shownException = try metl("checks", "exceptions", "show", exceptionID)
        #expect(shownException.stdout.contains("amount_mismatch  (bank reference EX-1002)") && shownException.stdout.contains("decision dec_"),
                "\(shownException.stdout)")
        let exceptionJSON = try #require(try JSONSerialization.jsonObject(with: Data(try metl("checks", "exceptions", "show", exceptionID, "--json").stdout.utf8))
                                         as? [String: Any])
        #expect((exceptionJSON["decisions"] as? [[String: Any]])?.first?["history"] is [Any])
        let inboundID = try #require(try metl("ingest", "list", "--kind", "check_exceptions", "--json").listed?.first?["id"] as? String)
        #expect(shownException.stdout.contains("from bank file \(inboundID) line 2"), "\(shownException.stdout)")
        let inboundShown = try #require(try JSONSerialization.jsonObject(with: Data(try metl("ingest", "show", inboundID, "--json").stdout.utf8))
                                        as? [String: Any])
        #expect((inboundShown["exceptions"] as? [[String: Any]])?.count == 2, "\(inboundShown)")
        #expect(try metl("checks", "exceptions", "list", "--status", "decided", "--json").listed?.count == 1)
        let decisions = try metl("cutoff", "--kind", "decisions")
        #expect(decisions.status == 0 && decisions.stdout.contains("1 decision collected"), "\(decisions.stdout)\(decisions.stderr)")
        #expect(try metl("checks", "void", ids[2]).status == 0)
        #expect(try metl("cutoff", "--kind", "positive-pay").status == 0)
        #expect(try metl("ingest", inbound.appendingPathComponent("arp-voided.txt").path).status == 0)

        let store = try SQLiteStore(path: database)
        let final = try await store.checks(CheckQuery())
        #expect(final.map(\.state) == [.completed, .processing, .failed])
        #expect(final[2].failure?.code == "voided")
        #expect(try await store.checkHistory(checkID: ids[1]).suffix(3).map(\.reasonCode) == ["on_file", "discrepancy", "exception_opened"])
        let files = try await store.outboundFiles(statuses: [.uploaded]).filter { $0.kind == .positivePay }
        #expect(files.count == 2)
        #expect(try await store.decisions(exceptionID: nil).map(\.state) == [.submittedToCore])
        let decisionFile = try #require(try await store.outboundFiles(statuses: [.uploaded]).first { $0.kind == .decisions })
        #expect(try metl("files", "show", decisionFile.id).stdout.contains("REFER TO MAKER"))
        let decisionBytes = String(decoding: try Data(contentsOf: URL(fileURLWithPath: directory.appendingPathComponent("archive").path)
                                                    .appendingPathComponent(decisionFile.archivePath)), as: UTF8.self)
        #expect(decisionBytes.contains("\r\nEX-1002,") && !decisionBytes.contains("ARP-"), "the bank's id, never one metl made up: \(decisionBytes)")
        #expect(try await store.checkExceptions(merchantID: nil, status: .decided).map(\.id) == [exceptionID])
        #expect(try await store.checkExceptions(merchantID: nil, status: .open).map(\.bankReference) == ["EX-1099"])
        let issueFile = try #require(files.first { $0.entryCount == 3 })
        let shown = try metl("files", "show", issueFile.id)
        #expect(shown.stdout.contains("3 check records") && shown.stdout.contains(ids[0]), "\(shown.stdout)")
    }
}
