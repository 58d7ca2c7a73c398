import BankFiles
import Foundation
import Logging
import NACHA
import Payments
import Pipeline
import SFTP
import TestSupport

/// `metl-bench positive-pay [CHECKS]`: 100,000 check issues rendered into one issue file and sent
/// to a loopback sshd, then the bank's 100,000-record ARP paid file ingested; beside them, in the
/// same run, the ACH cutoff of as many payments and the ingest of as large a return file.
enum PositivePayBench {
    static func run(checks count: Int = 100_000) async throws {
        report("== positive-pay (\(count) check issues → one ARP issue file on a loopback sshd; a \(count)-record paid file ingested)")
        let server = try SSHServer.start()
        defer { server.stop() }
        let database = try TemporaryDatabase()
        let store = try database.store()
        let merchant = try await store.fundedMerchant(1)
        let account = try await store.addCheckAccount(try CheckAccount.enrol(
            merchantID: merchant.id, routingNumber: "121042882", accountNumber: "123456789", layout: .arp, payeeMatch: false))
        let today = ACHDate.today()
        let intakes = try (0..<count).map { index in
            CheckIntake(merchantID: merchant.id, idempotencyKey: "bench-\(index)", check: try CheckIssueRequest(
                accountID: account.id, serial: String(100_000 + index), amount: 1_000 + Int64(index % 5_000),
                issueDate: today.description, payee: "PAYEE \(index % 1_000)").validate(for: account, rules: CheckRules(), today: today),
                actor: .cli)
        }
        let (_, seedSeconds) = try await measure { try await store.issueChecks(intakes) }
        report(String(format: "seeded %d checks in %.2f s", count, seedSeconds))

        let archive = Archive(root: database.directory.appendingPathComponent("archive").path)
        let destination = SFTPDestination(configuration: SFTPConfiguration(
            host: "127.0.0.1", port: server.port, username: server.username,
            authentication: .privateKey(path: server.clientKeyPath, passphrase: nil), knownHostsPath: server.knownHostsPath),
            directory: server.root, logger: Logger(label: "bench"))
        let job = CutoffJob(settings: CutoffJob.Settings(kinds: [CutoffJob.Kind(renderer: PositivePayFileRenderer(), destination: destination)],
                                                         archive: archive), store: store, logger: Logger(label: "bench"))
        let (summary, cutoffSeconds) = try await measure { try await job.run() }
        report(String(format: "positive-pay cutoff: %d check records, %d file, %d bytes uploaded and read back: %.2f s",
                      summary.checkRecordsSubmitted, summary.filesUploaded, summary.bytesUploaded, cutoffSeconds))

        let date = today.description.replacingOccurrences(of: "-", with: "")
        let paid = try ARPFile.render(intakes.map {
            ARPRecord(code: .paid, accountNumber: "123456789", serial: $0.check.serial, amount: $0.check.amount, issueDate: date, paidDate: date)
        }, expandedLength: nil)
        let ingest = IngestJob(store: store, archive: archive, logger: Logger(label: "bench"))
        let (outcome, ingestSeconds) = try await measure { try await ingest.ingest(paid, name: "paid.txt", source: "bench") }
        let completed = try await store.checks(CheckQuery(state: .completed, limit: Int.max)).count
        report(String(format: "paid file: %@, %d history rows, %d checks P_COMPLETED, %.1f MB: %.2f s (%.0f checks/s)", outcome.status.rawValue,
                      outcome.applied, completed, Double(paid.count) / 1_000_000, ingestSeconds, Double(count) / ingestSeconds))

        // The ACH figures beside them, in the same run.
        let achDatabase = try TemporaryDatabase()
        let achStore = try achDatabase.store()
        try await PipelineBench.seedCutoff(count, into: achStore)
        let achCutoff = try await PipelineBench.timeCutoff(achStore, archive: achDatabase.directory.appendingPathComponent("archive").path,
                                                           server: server, label: "ACH cutoff")
        let returnsDatabase = try TemporaryDatabase()
        let returnsStore = try returnsDatabase.store()
        let (returns, returnsArchive) = try await PipelineBench.submitted(returnsStore, in: returnsDatabase.directory, count: count,
                                                                          answeredWith: .returns)
        let (_, returnsSeconds) = try await measure {
            try await IngestJob(store: returnsStore, archive: returnsArchive, logger: Logger(label: "bench"))
                .ingest(returns, name: "returns.ach", source: "bench")
        }
        report(String(format: "ACH return file of %d entries: %.2f s", count, returnsSeconds))
        report(String(format: "positive-pay cutoff ÷ ACH cutoff: %.2f×; paid file ÷ return file: %.2f×",
                      cutoffSeconds / achCutoff, ingestSeconds / returnsSeconds))
    }
}
