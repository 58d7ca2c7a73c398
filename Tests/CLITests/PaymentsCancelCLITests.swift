import Foundation
import Testing
import TestSupport

/// `metl payments cancel` through the real binary: before the cutoff the payment stops there; once
/// its file is at the bank the cancel is refused and says why.
@Suite struct PaymentsCancelCLITests {
    @Test func aPaymentIsCancelledBeforeTheCutoffAndRefusedAfter() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("metl-cancel-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let environment = ["METL_DATABASE": "\(directory)/metl.sqlite", "METL_CLOCK": CLI.demoClock, "METL_ODFI_ROUTING": "121042882",
                           "METL_IMMEDIATE_DESTINATION": "091000019", "METL_ORIGIN_NAME": "ACME", "METL_DESTINATION_NAME": "BANK",
                           "METL_DESTINATION": "file://\(directory)/outbox"]
        func metl(_ arguments: String...) throws -> CLI.Result { try CLI.run(arguments, environment: environment) }
        #expect(try metl("merchants", "add", "acme", "--company-id", "1234567890", "--company-name", "ACME").status == 0)
        #expect(try metl("merchants", "fund", "acme", "10000000").status == 0)
        #expect(try metl("payments", "import", "fixtures/payments/demo.csv", "--merchant", "acme").status == 0)
        let listed = try #require(try metl("payments", "list", "--json").listed)
        let ids = listed.compactMap { $0["id"] as? String }
        #expect(ids.count == 6)

        #expect(try metl("payments", "cancel", ids[0]).status == 2, "a cancel says why")
        let cancelled = try metl("payments", "cancel", ids[0], "--reason", "duplicate of an earlier payroll")
        #expect(cancelled.status == 0, "\(cancelled.stderr)")
        let document = try JSONSerialization.jsonObject(with: Data(cancelled.stdout.utf8)) as? [String: Any]
        #expect(document?["state"] as? String == "P_FAILED")
        #expect((document?["failure"] as? [String: Any])?["code"] as? String == "cancelled")

        let run = try metl("cutoff", "--json")
        #expect(run.status == 0, "\(run.stderr)")
        let summary = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any]
        #expect(summary?["payments_submitted"] as? Int == 5, "the cancelled payment is not sent")
        let late = try metl("payments", "cancel", ids[1], "--reason", "too late")
        #expect(late.status == 5)
        #expect(late.stderr.contains("uploaded"), "\(late.stderr)")
    }
}
