import Foundation
import Logging
import NACHA
import Payments
import Pipeline
import SFTP
import TestSupport

/// `metl-bench cutoff` and `metl-bench sftp`, both against a loopback sshd started for the run.
enum PipelineBench {
    static func cutoff(payments count: Int = 100_000, stop: StopAfter? = nil) async throws {
        report("== cutoff (\(count) P_VALIDATED payments → files on a loopback sshd → P_SUBMITTED_TO_CORE)")
        let server = try SSHServer.start()
        defer { server.stop() }
        let database = try TemporaryDatabase()
        let store = try database.store()
        let archive = database.directory.appendingPathComponent("archive").path
        try await seedCutoff(count, into: store)
        let (_, collectSeconds) = try await measure { try await store.unboundValidatedPayments(limit: 1_000_000) }
        report(String(format: "(collecting %d payments alone: %.2f s)", count, collectSeconds))
        if stop == .setup { return }
        _ = try await timeCutoff(store, archive: archive, server: server)
    }

    /// `count` P_VALIDATED payments of one merchant, a quarter of them debits.
    static func seedCutoff(_ count: Int, into store: any LedgerStore) async throws {
        let merchant = try await store.fundedMerchant(9_000_000_000)
        let intakes = try (0..<count).map { index in
            try Requests.intake(merchant, Requests.credit(amount: 1_000 + Int64(index % 5_000),
                                                          direction: index.isMultiple(of: 4) ? "debit" : "credit"))
        }
        let (_, intakeSeconds) = try await measure { try await store.intake(intakes) }
        report(String(format: "seeded %d payments in %.2f s", count, intakeSeconds))
    }

    /// Runs the cutoff of everything validated in `store` to `server`; reports and returns its wall time.
    @discardableResult
    static func timeCutoff(_ store: any LedgerStore, archive: String, server: SSHServer, label: String = "cutoff") async throws -> Double {
        let settings = CutoffJob.Settings(
            profile: try BankProfile(odfiRouting: "121042882", immediateDestination: "091000019", originName: "METL BENCH",
                                     destinationName: "FEDERAL RESERVE BANK"),
            destination: SFTPDestination(configuration: SFTPConfiguration(
                host: "127.0.0.1", port: server.port, username: server.username,
                authentication: .privateKey(path: server.clientKeyPath, passphrase: nil), knownHostsPath: server.knownHostsPath),
                directory: server.root, logger: Logger(label: "bench")),
            archive: Archive(root: archive))
        let job = CutoffJob(settings: settings, store: store, logger: Logger(label: "bench"))
        let (summary, seconds) = try await measure { try await job.run() }
        report(String(format: "%@: %d payments, %d files, %d bytes uploaded and read back: %.2f s = %.4f of the 15-minute window",
                      label, summary.paymentsSubmitted, summary.filesUploaded, summary.bytesUploaded, seconds, seconds / 900))
        return seconds
    }

    static func sftp() async throws {
        report("== sftp (100 MB upload to a loopback sshd: metl's client vs OpenSSH sftp, same run)")
        let server = try SSHServer.start()
        defer { server.stop() }
        let size = 100 * 1_000_000
        var bytes = [UInt8](repeating: 0, count: size)
        var generator = SystemRandomNumberGenerator()
        bytes.withUnsafeMutableBytes { buffer in
            for index in stride(from: 0, to: size - 8, by: 8) { buffer.storeBytes(of: generator.next(), toByteOffset: index, as: UInt64.self) }
        }
        let local = server.directory.appendingPathComponent("payload.bin").path
        try Data(bytes).write(to: URL(fileURLWithPath: local))
        let configuration = SFTPConfiguration(host: "127.0.0.1", port: server.port, username: server.username,
                                              authentication: .privateKey(path: server.clientKeyPath, passphrase: nil),
                                              knownHostsPath: server.knownHostsPath)
        var ours: [Double] = []
        var openSSH: [Double] = []
        for round in 0..<3 {
            // Both sides pay for connecting, authenticating and closing, as `sftp` does.
            let (_, seconds) = try await measure {
                let client = try await SFTPClient.connect(configuration)
                try await client.upload(bytes, to: server.root + "/ours-\(round).bin")
                await client.close()
            }
            ours.append(seconds)
            let batch = server.directory.appendingPathComponent("batch").path
            try "put \(local) \(server.root)/openssh-\(round).bin\n".write(toFile: batch, atomically: true, encoding: .utf8)
            let (_, sshSeconds) = try measure {
                try ExternalCommand.run("/usr/bin/sftp", ["-q", "-b", batch, "-i", server.clientKeyPath, "-P", String(server.port),
                                                    "-o", "UserKnownHostsFile=\(server.knownHostsPath)", "-o", "BatchMode=yes",
                                                    "\(server.username)@127.0.0.1"])
            }
            openSSH.append(sshSeconds)
        }
        let best = ours.min()!, bestSSH = openSSH.min()!
        let mb = Double(size) / 1_000_000
        report(String(format: "metl SFTPClient: %.1f MB/s (best of 3: %.2f s)   OpenSSH sftp: %.1f MB/s (%.2f s)   ratio %.2f×",
                      mb / best, best, mb / bestSSH, bestSSH, bestSSH / best))
    }
}

extension PipelineBench {
    /// The bank files `metl-bench ingest`, `ack` and `bai2` apply to a file of submitted payments.
    enum InboundFile: String {
        /// A return (R01) for every entry: P_SUBMITTED_TO_CORE → P_FAILED.
        case returns
        /// The FedACH acknowledgement accepting the file: every payment → P_PROCESSING.
        case acknowledgement
        /// A BAI2 prior-day report with one ACH settlement detail per batch (200 batches: 100
        /// merchants, credits and debits): every payment → P_PROCESSING → P_COMPLETED.
        case settlement

        var name: String {
            switch self {
            case .returns: "returns.ach"
            case .acknowledgement: "ack.txt"
            case .settlement: "bai2.txt"
            }
        }
    }

    /// `metl-bench ingest [ENTRIES [CHUNK]]` (a return file), `ack [ENTRIES]` and `bai2 [ENTRIES]`:
    /// the bank file for a cutoff of 100,000 payments (or `ENTRIES`, such as 10,000 for a profile),
    /// applied `CHUNK` events per transaction (ingest's default unless given), then the raw baseline
    /// of the rows it wrote.
    static func ingest(_ kind: InboundFile = .returns, entries: Int = 100_000, chunkSize: Int? = nil,
                       stop: StopAfter? = nil) async throws {
        report("== \(kind.rawValue) (\(entries) submitted payments, "
               + (chunkSize.map { "\($0) events per transaction)" } ?? "default chunks)"))
        let database = try TemporaryDatabase()
        let store = try database.store()
        let (bytes, archive) = try await submitted(store, in: database.directory, count: entries, answeredWith: kind)
        let logger = Logger(label: "bench")
        let job = chunkSize.map { IngestJob(store: store, archive: archive, logger: logger, chunkSize: $0) }
            ?? IngestJob(store: store, archive: archive, logger: logger)
        let baseline = try await RawWriteBaseline.snapshot(of: database.path)
        if stop == .setup {
            // Kept for a run of the job in a process of its own (`metl ingest FILE --database PATH`).
            let file = database.directory.appendingPathComponent(kind.name)
            try Data(bytes).write(to: file)
            report("setup kept: database \(database.path), bank file \(file.path)")
            return
        }
        let setupPeak = peakMemoryMiB()
        resetPeakMemory()
        let atStart = peakMemoryMiB()
        let (outcome, seconds) = try await measure { try await job.ingest(bytes, name: kind.name, source: "bench") }
        let jobPeak = peakMemoryMiB()
        let counts = try await store.countsByState()
        report(String(format: "%@: %d state changes (now %@), %.1f MB: %.2f s (%.0f payments/s)", outcome.status.rawValue, outcome.applied,
                      counts.filter { $0.value > 0 }.map { "\($0.value) \($0.key.rawValue)" }.sorted().joined(separator: ", "),
                      Double(bytes.count) / 1_000_000, seconds, Double(entries) / seconds))
        report(String(format: "peak RSS: %.0f MiB during the job (%.0f MiB resident at its start; setup's peak %.0f MiB)",
                      jobPeak, atStart, setupPeak))
        if stop == .job { return }
        let changes = try await baseline.changes(madeIn: database.path)
        let raw = try await baseline.write(changes)
        report(String(format: "raw baseline, the same rows (%@) in one transaction: %.2f s; ingest = %.2f× raw",
                      changes.summary, raw, seconds / raw))
    }

    /// `count` payments of 100 merchants taken in and sent by a cutoff to a local outbox
    /// (P_SUBMITTED_TO_CORE), and the bank's `kind` of file about them; the archive the cutoff used.
    static func submitted(_ store: any LedgerStore, in directory: URL, count: Int,
                          answeredWith kind: InboundFile) async throws -> ([UInt8], Archive) {
        let merchants = 100
        for number in 0..<merchants {
            let merchant = try await store.fundedMerchant(9_000_000_000, name: "merchant \(number)")
            // One amount per merchant: every batch total differs, so each settlement detail names one batch.
            let share = count / merchants + (number < count % merchants ? 1 : 0)
            _ = try await store.intake(try (0..<share).map { index in
                try Requests.intake(merchant, Requests.credit(amount: 1_000 + Int64(number),
                                                              direction: index.isMultiple(of: 4) ? "debit" : "credit"))
            })
        }
        let archive = Archive(root: directory.appendingPathComponent("archive").path)
        let settings = CutoffJob.Settings(
            profile: try BankProfile(odfiRouting: "121042882", immediateDestination: "091000019", originName: "METL BENCH",
                                     destinationName: "FEDERAL RESERVE BANK"),
            destination: LocalDirectoryDestination(directory: directory.appendingPathComponent("outbox").path),
            archive: archive, limits: .init(maximumEntriesPerFile: count))
        _ = try await CutoffJob(settings: settings, store: store, logger: Logger(label: "bench")).run()
        let file = try await store.outboundFiles(statuses: [.uploaded])[0]
        let bound = try await store.filePayments(fileID: file.id)
        switch kind {
        case .returns:
            return (try BankFileFixtures.returns(bound.map { ($0.payment, $0.binding.traceNumber, "R01") }), archive)
        case .acknowledgement:
            return (BankFileFixtures.acknowledgement(of: file), archive)
        case .settlement:
            // Credit batches settle with a debit to our account (466), debit batches with a credit (165).
            var batches: [Int: (credit: Bool, total: Int64)] = [:]
            for entry in bound {
                batches[entry.binding.batchNumber, default: (entry.payment.direction == .credit, 0)].total += entry.payment.amount
            }
            let date = bound.first?.binding.effectiveDate ?? ACHDate.today()
            return (BankFileFixtures.settlement(asOf: date, details: batches.sorted { $0.key < $1.key }.map {
                (typeCode: $0.value.credit ? "466" : "165", amount: $0.value.total)
            }), archive)
        }
    }
}
