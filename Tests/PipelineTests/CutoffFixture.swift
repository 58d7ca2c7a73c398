import Foundation
import Logging
import NACHA
import Payments
import Pipeline
import SFTP
import SQLiteStore
import TestSupport

/// A database with funded payments, an archive, and a cutoff pointed at a destination.
struct CutoffFixture {
    let database: TemporaryDatabase
    let store: SQLiteStore
    let archive: Archive
    let profile: BankProfile
    var merchant: Merchant

    init(payments: Int = 3, faults: FaultInjector = .none) async throws {
        database = try TemporaryDatabase()
        store = try database.store(faults: faults)
        archive = Archive(root: database.directory.appendingPathComponent("archive").path)
        profile = try BankProfile(odfiRouting: "121042882", immediateDestination: "091000019", originName: "METL TEST BANK",
                                  destinationName: "FEDERAL RESERVE BANK")
        merchant = try await store.fundedMerchant(100_000_000)
        try await add(payments)
    }

    func add(_ count: Int) async throws {
        guard count > 0 else { return }
        _ = try await store.intake((0..<count).map { index in
            try Requests.intake(merchant, Requests.credit(amount: 1_000 + Int64(index), direction: index % 3 == 2 ? "debit" : "credit"))
        })
    }

    func sftp(_ server: SSHServer, knownHosts: String? = nil, directory: String? = nil) -> SFTPDestination {
        SFTPDestination(configuration: SFTPConfiguration(
            host: "127.0.0.1", port: server.port, username: server.username,
            authentication: .privateKey(path: server.clientKeyPath, passphrase: nil),
            knownHostsPath: knownHosts ?? server.knownHostsPath, connectTimeout: .seconds(2), operationTimeout: .seconds(5)),
            directory: directory ?? server.root, logger: TestLog.logger())
    }

    func job(_ destination: any Destination, window: Duration = .seconds(30), limits: FileAssembler.Limits = .init(),
             faults: FaultInjector = .none) -> CutoffJob {
        let settings = CutoffJob.Settings(profile: profile, destination: destination, archive: archive, window: window,
                                          limits: limits, filenameTemplate: FilenameTemplate("ACH_{origin}_{yyyyMMdd}_{modifier}_{id}.ach"),
                                          retryBase: .milliseconds(50), retryCap: .milliseconds(400))
        return CutoffJob(settings: settings, store: store, logger: TestLog.logger(), faults: faults)
    }

    func payments(_ state: PaymentState) async throws -> [Payment] {
        try await store.payments(PaymentQuery(state: state))
    }

    /// Every payment reached P_SUBMITTED_TO_CORE exactly once, each from the file it is bound to.
    func submittedExactlyOnce() async throws -> Bool {
        for payment in try await store.payments(PaymentQuery()) where payment.state != .failed {
            let history = try await store.history(paymentID: payment.id)
            guard history.filter({ $0.toState == .submittedToCore }).count == 1 else { return false }
        }
        return true
    }

    /// The remote files (no `.part` leftovers) and whether each holds exactly its archived bytes.
    func remoteMatchesArchive(_ directory: String) async throws -> (names: [String], allMatch: Bool) {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".ach") }.sorted()
        var allMatch = true
        for file in try await store.outboundFiles(statuses: [.uploaded]) {
            let remote = FileManager.default.contents(atPath: directory + "/" + file.name).map { [UInt8]($0) }
            let archived = try archive.read(file.archivePath)
            allMatch = allMatch && remote == archived
        }
        return (names, allMatch)
    }
}
