import Foundation
import OpenPGP
import Payments
import Pipeline
import Testing
import TestSupport

/// The cutoff sealing its files with OpenPGP: to a loopback sshd, decrypted by "the bank" with
/// the `gpg` command line, resumed after a crash with the same sealed bytes, and refused when the
/// bank's key has expired. The keys are made for each test.
@Suite(.serialized) struct SealedCutoffTests {
    let server: SSHServer

    init() throws {
        server = try SSHServer.start()
    }

    /// A fresh directory of the server's, for a test's files alone.
    func directory(_ name: String) throws -> String {
        let path = server.root + "/\(name)-\(UUID().uuidString.prefix(6))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func sealing(_ keys: OpenPGPFixture, armored: Bool = false) -> OpenPGPSealing {
        OpenPGPSealing(gnupg: keys.us, recipient: keys.banks, signer: keys.ours, passphraseFile: keys.passphraseFile, armored: armored)
    }

    static func job(_ fixture: CutoffFixture, _ destination: any Destination, sealing: OpenPGPSealing, faults: FaultInjector = .none,
                    now: @escaping @Sendable () -> Date = { Date() }) -> CutoffJob {
        var settings = CutoffJob.Settings(profile: fixture.profile, destination: destination, archive: fixture.archive,
                                          retryBase: .milliseconds(50), retryCap: .milliseconds(400))
        settings.kinds[0].sealing = sealing
        return CutoffJob(settings: settings, store: fixture.store, logger: .init(label: "test"), faults: faults, now: now)
    }

    @Test(arguments: [false, true])
    func theBankDecryptsTheArchivedPlaintextSignedByUs(armored: Bool) async throws {
        let keys = try await OpenPGPFixture()
        defer { Task { await keys.stop() } }
        let fixture = try await CutoffFixture(payments: 3)
        let summary = try await Self.job(fixture, fixture.sftp(server, directory: server.root), sealing: Self.sealing(keys, armored: armored)).run()
        #expect(summary.filesUploaded == 1 && summary.paymentsSubmitted == 3 && summary.alerts.isEmpty)
        let file = try #require(try await fixture.store.outboundFiles(statuses: [.uploaded]).last)
        let sealing = try #require(file.sealing)
        #expect(file.name.hasSuffix(armored ? ".ach.asc" : ".ach.pgp"))
        #expect(sealing.recipient == keys.banks.hex && sealing.signer == keys.ours.hex)
        // The bank holds exactly the sealed bytes recorded; the plaintext is archived beside them.
        let remote = [UInt8](try Data(contentsOf: URL(fileURLWithPath: server.root + "/" + file.name)))
        #expect(remote == (try fixture.archive.read(file.archivePath)) && SHA256Digest.hex(remote) == file.sha256)
        let plaintext = try fixture.archive.read(sealing.plaintextArchivePath)
        #expect(SHA256Digest.hex(plaintext) == sealing.plaintextSHA256 && Int64(plaintext.count) == sealing.plaintextSize)
        #expect(plaintext.starts(with: Array("101".utf8)))
        // The bank, with gpg: the archived plaintext exactly, with a good signature by our key.
        let opened = keys.directory.appendingPathComponent("opened-\(armored)").path
        let status = try await keys.bank(["--status-fd", "1", "--output", opened, "--decrypt", server.root + "/" + file.name])
        #expect(try keys.read(opened) == plaintext)
        #expect(status.split(separator: "\n").contains { $0.hasPrefix("[GNUPG:] VALIDSIG") && $0.hasSuffix(keys.ours.hex) })
        // The file ledger reads the sealing back.
        #expect(try await fixture.store.outboundFile(id: file.id).sealing == sealing)
    }

    @Test func aCrashBeforeUploadResumesWithTheSameSealedBytesExactlyOnce() async throws {
        let keys = try await OpenPGPFixture()
        defer { Task { await keys.stop() } }
        let fixture = try await CutoffFixture(payments: 2)
        let remote = try directory("crash")
        let crash = FaultInjector { $0 == .afterFileRecorded }
        await #expect(throws: PipelineError.self) {
            try await Self.job(fixture, LocalDirectoryDestination(directory: remote), sealing: Self.sealing(keys), faults: crash).run()
        }
        let recorded = try #require(try await fixture.store.outboundFiles(statuses: nil).first)
        #expect(recorded.status == .rendered && recorded.sealing != nil)
        let resumed = try await Self.job(fixture, LocalDirectoryDestination(directory: remote), sealing: Self.sealing(keys)).run()
        #expect(resumed.filesResumed == 1 && resumed.filesRendered == 0 && resumed.filesUploaded == 1)
        let names = try FileManager.default.contentsOfDirectory(atPath: remote)
        #expect(names == [recorded.name])
        let sent = [UInt8](try Data(contentsOf: URL(fileURLWithPath: remote + "/" + recorded.name)))
        #expect(SHA256Digest.hex(sent) == recorded.sha256, "the bytes sealed before the crash, not sealed again")
        #expect(try await fixture.submittedExactlyOnce())
    }

    @Test func anExpiredBankKeyRefusesTheCutoffBeforeAnythingIsSentAndOneExpiringSoonIsAnAlert() async throws {
        let keys = try await OpenPGPFixture()
        defer { Task { await keys.stop() } }
        let fixture = try await CutoffFixture(payments: 1)
        let remote = try directory("expired")
        // The bank's key expires in a year.
        let later = Date().addingTimeInterval(400 * 86_400)
        await #expect {
            try await Self.job(fixture, LocalDirectoryDestination(directory: remote), sealing: Self.sealing(keys), now: { later }).run()
        } throws: { ($0 as? PipelineError)?.code == .configuration && "\($0)".contains("expired") }
        #expect(try await fixture.store.outboundFiles(statuses: nil).isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: remote).isEmpty)
        let soon = Date().addingTimeInterval(350 * 86_400)
        let summary = try await Self.job(fixture, LocalDirectoryDestination(directory: remote), sealing: Self.sealing(keys), now: { soon }).run()
        #expect(summary.filesUploaded == 1)
        #expect(summary.alerts.contains { $0.contains(keys.banks.hex) && $0.contains("expires") })
    }
}
