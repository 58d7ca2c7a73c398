import Foundation
import Testing
import Payments
import TestSupport

/// The auditor's tools through the real binary: `files verify` checks every file against the ledger,
/// the archive and the bank's copy, and `export` writes the ledger out; both change nothing.
@Suite struct AuditorCLITests {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("metl-audit-\(UUID().uuidString)").path

    func metl(_ arguments: String...) throws -> CLI.Result {
        try CLI.run(arguments, environment: ["METL_DATABASE": "\(directory)/metl.sqlite", "METL_CLOCK": CLI.demoClock,
                                             "METL_ODFI_ROUTING": "121042882", "METL_IMMEDIATE_DESTINATION": "091000019",
                                             "METL_ORIGIN_NAME": "ACME", "METL_DESTINATION_NAME": "BANK", "METL_DESTINATION": "file://\(directory)/outbox"])
    }

    /// The demo's six payments sent in one file to a local outbox.
    init() throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        #expect(try metl("merchants", "add", "acme", "--company-id", "1234567890", "--company-name", "ACME").status == 0)
        #expect(try metl("merchants", "fund", "acme", "10000000").status == 0)
        #expect(try metl("payments", "import", "fixtures/payments/demo.csv", "--merchant", "acme").status == 0)
        #expect(try metl("cutoff").status == 0)
    }

    @Test func theArchiveAndTheBanksCopyAreCheckedAgainstTheLedger() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let file = try #require(try metl("files", "list", "--json").listed?.first)
        let name = try #require(file["name"] as? String)
        // Stored relative to the archive's root (beside the database here).
        let archived = directory + "/archive/" + (try #require(file["archive_path"] as? String))

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

    @Test func theExportHoldsTheSpansFilesEntriesPaymentsAndHistoryWithAManifestOfDigests() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let today = String(Timestamp.format(Date()).prefix(10))
        let out = directory + "/export"
        // Up to the end of today: the file (dated on the demo clock, 2026-11-23) and the payments (made today).
        let exported = try metl("export", "--until", today, out, "--json")
        #expect(exported.status == 0, "\(exported.stderr)")
        let manifest = try #require(try JSONSerialization.jsonObject(with: Data(exported.stdout.utf8)) as? [String: Any])
        let tables = try #require(manifest["tables"] as? [[String: Any]])
        let rows = Dictionary(uniqueKeysWithValues: tables.compactMap { table in (table["name"] as? String).map { ($0, table["rows"] as? Int ?? -1) } })
        #expect(rows["outbound_files"] == 1 && rows["file_entries"] == 6 && rows["payments"] == 6 && rows["inbound_files"] == 0)
        #expect(rows["payment_history"] == 18, "created, validated, submitted: \(rows)")
        for table in tables {
            let name = try #require(table["name"] as? String)
            let csv = try Data(contentsOf: URL(fileURLWithPath: "\(out)/\(name).csv"))
            #expect(SHA256Digest.hex([UInt8](csv)) == table["csv_sha256"] as? String, "\(name)")
            let lines = try String(contentsOfFile: "\(out)/\(name).jsonl", encoding: .utf8).split(separator: "\n")
            #expect(lines.count == table["rows"] as? Int, "\(name)")
            let mode = try FileManager.default.attributesOfItem(atPath: "\(out)/\(name).csv")[.posixPermissions] as? Int
            #expect(mode == 0o600, "\(name)")
        }
        let payments = try String(contentsOfFile: "\(out)/payments.jsonl", encoding: .utf8).split(separator: "\n")
        let first = try #require(try JSONSerialization.jsonObject(with: Data(payments[0].utf8)) as? [String: Any])
        #expect((first["account_number"] as? String)?.hasPrefix("****") == true, "masked")
        #expect(first["file_id"] is String && (first["trace_number"] as? String)?.count == 15)
        #expect(try String(contentsOfFile: "\(out)/payments.csv", encoding: .utf8).hasPrefix("id,merchant_id,state,version,amount,"))

        // Another day holds nothing; an export never writes into a directory that has something in it.
        let before = try metl("export", "--until", "2026-11-01", directory + "/empty", "--json")
        #expect(try JSONSerialization.jsonObject(with: Data(before.stdout.utf8)) as? [String: Any] != nil)
        #expect(try String(contentsOfFile: directory + "/empty/payments.csv", encoding: .utf8).split(separator: "\r\n").count == 1)
        let again = try metl("export", out)
        #expect(again.status == 8)
        #expect(again.stderr.contains("is not an empty directory"))
    }

    @Test func anArchiveMountedElsewhereStillHoldsItsFiles() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // The archive moved (a shared mount at another path, a migrated database): the ledger's paths are relative to its root.
        try FileManager.default.moveItem(atPath: directory + "/archive", toPath: directory + "/moved-archive")
        let verified = try metl("files", "verify", "--all", "--archive-only", "--archive-dir", directory + "/moved-archive")
        #expect(verified.status == 0 && verified.stdout.contains("archive: matches the ledger's SHA-256"), "\(verified.stdout)")
        let missing = try metl("files", "verify", "--all", "--archive-only")
        #expect(missing.status == 1, "the old place holds nothing")
    }
}
