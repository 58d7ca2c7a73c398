import Foundation
import Testing
import TestSupport

/// `metl files verify` through the real binary: an auditor's check of every file against the ledger,
/// the archive and the bank's copy, which changes nothing and fails on any difference.
@Suite struct FilesVerifyCLITests {
    @Test func theArchiveAndTheBanksCopyAreCheckedAgainstTheLedger() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("metl-verify-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let environment = ["METL_DATABASE": "\(directory)/metl.sqlite", "METL_CLOCK": CLI.demoClock, "METL_ODFI_ROUTING": "121042882",
                           "METL_IMMEDIATE_DESTINATION": "091000019", "METL_ORIGIN_NAME": "ACME", "METL_DESTINATION_NAME": "BANK",
                           "METL_DESTINATION": "file://\(directory)/outbox"]
        func metl(_ arguments: String...) throws -> CLI.Result { try CLI.run(arguments, environment: environment) }
        #expect(try metl("merchants", "add", "acme", "--company-id", "1234567890", "--company-name", "ACME").status == 0)
        #expect(try metl("merchants", "fund", "acme", "10000000").status == 0)
        #expect(try metl("payments", "import", "fixtures/payments/demo.csv", "--merchant", "acme").status == 0)
        #expect(try metl("cutoff").status == 0)
        let file = try #require(try metl("files", "list", "--json").listed?.first)
        let name = try #require(file["name"] as? String)
        let archived = try #require(file["archive_path"] as? String)

        let clean = try metl("files", "verify", "--all", "--json")
        #expect(clean.status == 0, "\(clean.stdout)\(clean.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(clean.stdout.utf8)) as? [[String: Any]])
        #expect(report.count == 1 && report[0]["intact"] as? Bool == true)
        #expect((report[0]["archive"] as? [String: Any])?["outcome"] as? String == "matches")
        #expect((report[0]["remote"] as? [String: Any])?["outcome"] as? String == "matches")
        #expect(try metl("files", "verify", name).stdout.contains("bank's copy: matches the ledger's SHA-256"))
        #expect(try metl("files", "verify", "--all", "--archive-only").stdout.contains("bank's copy: not checked (--archive-only)"))

        // The bank's copy changed: a finding. Collected by the bank: reported, not a finding.
        let remote = "\(directory)/outbox/\(name)"
        let sent = try Data(contentsOf: URL(fileURLWithPath: remote))
        var altered = sent
        altered[altered.count / 2] ^= 0x01
        try altered.write(to: URL(fileURLWithPath: remote))
        let differs = try metl("files", "verify", "--all")
        #expect(differs.status == 1)
        #expect(differs.stdout.contains("FAILED ") && differs.stdout.contains("bank's copy: DIFFERS: ") && differs.stdout.contains("1 failed"))
        try FileManager.default.removeItem(atPath: remote)
        let collected = try metl("files", "verify", "--all")
        #expect(collected.status == 0 && collected.stdout.contains("no longer on the server (the bank may have collected it)"), "\(collected.stdout)")

        // The archived bytes changed (as their owner could): a finding, whatever the bank holds.
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: archived)
        var tampered = sent
        tampered[0] = UInt8(ascii: "9")
        try tampered.write(to: URL(fileURLWithPath: archived))
        let archive = try metl("files", "verify", "--all", "--archive-only")
        #expect(archive.status == 1)
        #expect(archive.stdout.contains("archive: DIFFERS: \(archived) has SHA-256 "), "\(archive.stdout)")
        #expect(try metl("files", "list", "--json").listed?.first?["status"] as? String == "uploaded", "nothing changed")
        try FileManager.default.removeItem(atPath: archived)
        #expect(try metl("files", "verify", "--all", "--archive-only").stdout.contains("archive: absent: archived file \(archived) is missing"))
        #expect(try metl("files", "verify").status == 2, "a file or --all")
    }
}
