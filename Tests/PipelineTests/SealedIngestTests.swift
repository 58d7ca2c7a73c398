import BankFiles
import Foundation
import Logging
import NACHA
import OpenPGP
import Payments
import Pipeline
import Testing
import TestSupport

/// The bank's files encrypted to us and signed with the `gpg` command line, through the real
/// ingest: decrypted, checked against the bank's key and applied; and each way a file can fail the
/// check quarantined with nothing applied. The keys are made for each test.
@Suite struct SealedIngestTests {
    /// A cutoff's file at the bank, our keys, and an ingest that opens OpenPGP files requiring the bank's signature.
    struct Fixture {
        let keys: OpenPGPFixture
        let cutoff: CutoffFixture
        let file: OutboundFile
        let ingest: IngestJob

        init(requireSigner: Bool = true, maximumFileBytes: Int64 = IngestJob.defaultMaximumFileBytes) async throws {
            keys = try await OpenPGPFixture()
            let (cutoff, file, _) = try await IngestTests.submitted(3)
            self.cutoff = cutoff
            self.file = file
            ingest = IngestJob(store: cutoff.store, archive: cutoff.archive, logger: TestLog.logger(), maximumFileBytes: maximumFileBytes,
                               opening: OpenPGPOpening(gnupg: keys.us, passphraseFile: keys.passphraseFile,
                                                       requiredSigner: requireSigner ? keys.banks : nil))
        }

        /// `plaintext` sealed by the bank's gpg with `arguments` (who it is for, who signs).
        func sealed(_ plaintext: [UInt8], _ arguments: [String]) async throws -> [UInt8] {
            let input = try keys.file("plain-\(UUID().uuidString.prefix(6))", plaintext)
            let output = input + ".pgp"
            try await keys.bank(arguments + ["--output", output, input])
            return try keys.read(output)
        }

        var signedForUs: [String] { ["--recipient", keys.ours.hex, "--local-user", keys.banks.hex, "--sign", "--encrypt"] }
    }

    @Test func returnsAnAcknowledgementAndABAI2ReportSealedByTheBankAreOpenedCheckedAndApplied() async throws {
        let fixture = try await Fixture()
        defer { Task { await fixture.keys.stop() } }
        let bound = try await IngestTests.bound(fixture.cutoff, fixture.file)
        let ack = try await fixture.sealed(BankFileFixtures.acknowledgement(of: fixture.file), fixture.signedForUs + ["--armor"])
        let acknowledged = try await fixture.ingest.ingest(ack, name: "ack.txt.asc", source: "test")
        #expect(acknowledged.status == .processed && acknowledged.kind == .fedACHAcknowledgement, "\(acknowledged)")
        let plaintext = try BankFileFixtures.returns([(bound[0].payment, bound[0].binding.traceNumber, "R01")])
        let returns = try await fixture.sealed(plaintext, fixture.signedForUs)
        let outcome = try await fixture.ingest.ingest(returns, name: "returns.ach.pgp", source: "test")
        #expect(outcome.status == .processed && outcome.kind == .nacha && outcome.applied == 1, "\(outcome)")
        #expect(try await fixture.cutoff.store.payment(id: bound[0].payment.id).failure?.code == "R01")
        // The ledger keeps both hashes and the signer; the archive keeps both files.
        let recorded = try #require(try await fixture.cutoff.store.inboundFiles().first { $0.id == outcome.id })
        let opening = try #require(recorded.opening)
        #expect(recorded.sha256 == SHA256Digest.hex(returns) && opening.plaintextSHA256 == SHA256Digest.hex(plaintext))
        #expect(opening.signer == fixture.keys.banks.hex)
        #expect(try fixture.cutoff.archive.read(recorded.archivePath) == plaintext)
        #expect(try fixture.cutoff.archive.read(opening.sealedArchivePath) == returns)
        // The same bytes again: a duplicate, nothing applied twice.
        let again = try await fixture.ingest.ingest(returns, name: "returns-again.ach.pgp", source: "test")
        #expect(again.status == .duplicate)
        let report = BankFileFixtures.settlement(asOf: .today(), details: [("165", bound[1].payment.amount + bound[2].payment.amount)])
        let settled = try await fixture.ingest.ingest(try await fixture.sealed(report, fixture.signedForUs), name: "bai2.pgp", source: "test")
        #expect(settled.status == .processed && settled.kind == .bai2, "\(settled)")
    }

    @Test func unsignedForeignTamperedOrNotForUsIsQuarantinedWithItsReasonAndNothingApplied() async throws {
        let fixture = try await Fixture()
        defer { Task { await fixture.keys.stop() } }
        let bound = try await IngestTests.bound(fixture.cutoff, fixture.file)
        let plaintext = try BankFileFixtures.returns([(bound[0].payment, bound[0].binding.traceNumber, "R01")])
        let impostor = try await OpenPGPFixture.generate(in: fixture.keys.bankHome, "Impostor <x@example.com>")
        var tampered = try await fixture.sealed(plaintext, fixture.signedForUs)
        tampered[tampered.count - 30] ^= 0x01
        let cases: [(name: String, bytes: [UInt8], reason: String)] = [
            ("unsigned", try await fixture.sealed(plaintext, ["--recipient", fixture.keys.ours.hex, "--encrypt"]), "not signed"),
            ("foreign", try await fixture.sealed(plaintext, ["--recipient", fixture.keys.ours.hex, "--local-user", impostor.hex, "--sign", "--encrypt"]),
             "not in the GnuPG home"),
            ("tampered", tampered, "cannot be decrypted"),
            ("not-ours", try await fixture.sealed(plaintext, ["--recipient", fixture.keys.banks.hex, "--encrypt"]), "does not hold"),
        ]
        for (name, bytes, reason) in cases {
            let outcome = try await fixture.ingest.ingest(bytes, name: "\(name).pgp", source: "test")
            #expect(outcome.status == .quarantined && outcome.reason?.contains(reason) == true, "\(name): \(outcome)")
            #expect(outcome.reason?.contains(fixture.keys.passphraseFile) != true)
        }
        // Our own key signing is not the bank's: refused too.
        let ours = try await fixture.keys.us.encrypt(plaintext, name: "r.ach", to: fixture.keys.ours, signedBy: fixture.keys.ours,
                                                     passphraseFile: fixture.keys.passphraseFile, armored: false)
        let wrongSigner = try await fixture.ingest.ingest(ours, name: "ours.pgp", source: "test")
        #expect(wrongSigner.status == .quarantined && wrongSigner.reason?.contains("not by the bank's key") == true, "\(wrongSigner)")
        #expect(try await IngestTests.states(fixture.cutoff).allSatisfy { $0 == .submittedToCore })
    }

    @Test("a required signer is absolute: a plaintext file of any kind is quarantined unsigned before its kind is read")
    func aRequiredSignerRefusesEveryPlaintextFile() async throws {
        let fixture = try await Fixture()
        defer { Task { await fixture.keys.stop() } }
        let bound = try await IngestTests.bound(fixture.cutoff, fixture.file)
        let plaintexts: [(String, [UInt8])] = [
            ("returns.ach", try BankFileFixtures.returns([(bound[0].payment, bound[0].binding.traceNumber, "R01")])),
            ("ack.txt", BankFileFixtures.acknowledgement(of: fixture.file)),
            ("bai2.txt", BankFileFixtures.settlement(asOf: .today(), details: [("165", bound[1].payment.amount)])),
            ("arp.txt", try BankFileFixtures.arpOutput([ARPRecord(code: .void, accountNumber: "1", serial: "1", amount: 100_000,
                                                                  issueDate: "20261123")])),
            ("exceptions.csv", PositivePayIngestTests.exceptionFile(["EX-1,1,1,100,,X,duplicate,pay,\(PositivePayIngestTests.deadline)"])),
        ]
        for (name, bytes) in plaintexts {
            let outcome = try await fixture.ingest.ingest(bytes, name: name, source: "test")
            #expect(outcome.status == .quarantined && outcome.reason?.hasPrefix("unsigned:") == true, "\(name): \(outcome)")
            #expect(outcome.kind == .unknown && outcome.applied == 0, "\(name): \(outcome)")
        }
        #expect(try await IngestTests.states(fixture.cutoff).allSatisfy { $0 == .submittedToCore })
    }

    @Test("a small message that expands past the size limit is stopped at the limit and quarantined, nothing of its plaintext kept")
    func aCompressionBombIsStoppedAtTheLimit() async throws {
        let limit: Int64 = 1 << 20
        let fixture = try await Fixture(maximumFileBytes: limit)
        defer { Task { await fixture.keys.stop() } }
        let bound = try await IngestTests.bound(fixture.cutoff, fixture.file)
        // A real returns file, then 32 MiB of padding: bzip2 makes it a few kilobytes.
        let plaintext = try BankFileFixtures.returns([(bound[0].payment, bound[0].binding.traceNumber, "R01")])
            + [UInt8](repeating: UInt8(ascii: "9"), count: 32 << 20)
        let bomb = try await fixture.sealed(plaintext, fixture.signedForUs + ["--compress-algo", "bzip2", "--bzip2-compress-level", "9"])
        #expect(bomb.count < 64 << 10, "the message is small: \(bomb.count) bytes")

        let outcome = try await fixture.ingest.ingest(bomb, name: "bomb.ach.pgp", source: "test")
        #expect(outcome.status == .quarantined && outcome.reason?.contains("passes the limit of \(limit) bytes") == true, "\(outcome)")
        #expect(outcome.applied == 0)
        // Only the message received is archived: no plaintext, and no temporary file left behind.
        let root = URL(fileURLWithPath: fixture.cutoff.archive.root)
        let archived = try FileManager.default.subpathsOfDirectory(atPath: root.path).filter { !$0.hasSuffix("/") }
            .map { root.appendingPathComponent($0) }.filter { !$0.hasDirectoryPath }
        let sizes = try archived.map { try FileManager.default.attributesOfItem(atPath: $0.path)[.size] as? Int ?? 0 }
        #expect(sizes.allSatisfy { $0 <= Int(limit) }, "nothing past the limit is written: \(sizes.max() ?? 0) bytes")
        let temporary = (try? FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("tmp").path)) ?? []
        #expect(temporary.isEmpty, "\(temporary)")
        let recorded = try #require(try await fixture.cutoff.store.inboundFiles().first { $0.id == outcome.id })
        #expect(recorded.opening == nil && recorded.sha256 == SHA256Digest.hex(bomb))
        #expect(try await IngestTests.states(fixture.cutoff).allSatisfy { $0 == .submittedToCore })
    }

    @Test func withoutARequiredSignerAnUnsignedEncryptedFileIsApplied() async throws {
        let fixture = try await Fixture(requireSigner: false)
        defer { Task { await fixture.keys.stop() } }
        let bound = try await IngestTests.bound(fixture.cutoff, fixture.file)
        let plaintext = try BankFileFixtures.returns([(bound[0].payment, bound[0].binding.traceNumber, "R01")])
        let outcome = try await fixture.ingest.ingest(try await fixture.sealed(plaintext, ["--recipient", fixture.keys.ours.hex, "--encrypt"]),
                                                      name: "returns.pgp", source: "test")
        #expect(outcome.status == .processed && outcome.applied == 2, "\(outcome)")
        let recorded = try #require(try await fixture.cutoff.store.inboundFiles().first { $0.id == outcome.id })
        #expect(recorded.opening?.signer == nil)
    }
}
