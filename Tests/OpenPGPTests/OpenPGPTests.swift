import Foundation
import OpenPGP
import Testing
import TestSupport

@Suite("OpenPGP through gpg, in homes made at test time")
struct OpenPGPTests {
    static let plaintext = Array("101 121042882 0910000192612031430A094101FEDERAL RESERVE BANK   METL DEMO BANK         \r\n".utf8)

    @Test("keys: ours with its secret, the bank's public one; a short id is not a fingerprint")
    func keys() async throws {
        let fixture = try await OpenPGPFixture()
        defer { Task { await fixture.stop() } }
        let keys = try await fixture.us.keys()
        #expect(keys.map(\.fingerprint) == [fixture.ours, fixture.banks])
        #expect(keys[0].hasSecret && !keys[1].hasSecret)
        #expect(keys[0].userIDs == ["METL Test <ops@example.com>"])
        #expect(keys[0].capabilities.isSuperset(of: [.encrypt, .sign]))
        let expires = try #require(keys[0].expires)
        #expect(abs(expires.timeIntervalSinceNow - 2 * 365 * 86_400) < 3 * 86_400)
        #expect(!keys[0].expiresSoon(at: Date(), within: 30 * 86_400))
        #expect(keys[1].expiresSoon(at: Date().addingTimeInterval(340 * 86_400), within: 30 * 86_400))
        #expect(throws: OpenPGPError.self) { try Fingerprint(String(fixture.ours.hex.suffix(16))) }
        #expect(try Fingerprint(fixture.ours.hex.lowercased()) == fixture.ours)
        await #expect { _ = try await fixture.us.exportPublic(try Fingerprint(String(repeating: "A", count: 40))) } throws: {
            ($0 as? OpenPGPError)?.code == .unknownKey
        }
        await #expect { _ = try await fixture.us.importKeys(Array("not a key".utf8)) } throws: { ($0 as? OpenPGPError)?.code == .invalidData }
    }

    @Test("what we encrypt and sign, the bank decrypts with gpg to the same bytes, with a good signature by our key", arguments: [true, false])
    func outbound(armored: Bool) async throws {
        let fixture = try await OpenPGPFixture()
        defer { Task { await fixture.stop() } }
        let sealed = try await fixture.us.encrypt(Self.plaintext, name: "ACH.ach", to: fixture.banks, signedBy: fixture.ours,
                                                  passphraseFile: fixture.passphraseFile, armored: armored)
        #expect(OpenPGPData.recognises(sealed))
        #expect(armored == sealed.starts(with: Array("-----BEGIN PGP MESSAGE-----".utf8)))
        let input = try fixture.file("sealed", sealed), output = fixture.directory.appendingPathComponent("opened").path
        let status = try await fixture.bank(["--status-fd", "1", "--output", output, "--decrypt", input])
        #expect(try fixture.read(output) == Self.plaintext)
        let valid = try #require(status.split(separator: "\n").first { $0.hasPrefix("[GNUPG:] VALIDSIG") })
        #expect(valid.hasSuffix(fixture.ours.hex))
        // Encrypting again gives other bytes: a retried upload must reuse the first ones.
        let again = try await fixture.us.encrypt(Self.plaintext, name: "ACH.ach", to: fixture.banks, signedBy: fixture.ours,
                                                 passphraseFile: fixture.passphraseFile, armored: armored)
        #expect(again != sealed)
    }

    @Test("what the bank encrypts to us and signs, we decrypt, and the signer is the bank's key")
    func inbound() async throws {
        let fixture = try await OpenPGPFixture()
        defer { Task { await fixture.stop() } }
        let input = try fixture.file("returns.ach", Self.plaintext)
        for armor in [["--armor"], []] {
            let sealed = fixture.directory.appendingPathComponent("returns.pgp").path
            try await fixture.bank(armor + ["--recipient", fixture.ours.hex, "--local-user", fixture.banks.hex, "--sign", "--encrypt",
                                      "--output", sealed, input])
            let bytes = try fixture.read(sealed)
            #expect(OpenPGPData.recognises(bytes))
            let opened = try await fixture.us.decrypt(bytes, passphraseFile: fixture.passphraseFile)
            #expect(opened.plaintext == Self.plaintext && opened.wasEncrypted)
            #expect(opened.signature == .good(fixture.banks))
        }
        #expect(!OpenPGPData.recognises(Self.plaintext))
        #expect(!OpenPGPData.recognises(Array("01,121042882,".utf8)))
    }

    @Test("unsigned, signed by a key we do not hold, tampered, not for us, wrong passphrase: each told apart")
    func refusals() async throws {
        let fixture = try await OpenPGPFixture()
        defer { Task { await fixture.stop() } }
        let input = try fixture.file("report.bai2", Self.plaintext)
        let sealed = fixture.directory.appendingPathComponent("out.pgp").path
        func sealedBytes(_ arguments: [String]) async throws -> [UInt8] {
            try await fixture.bank(arguments + ["--output", sealed, input])
            return try fixture.read(sealed)
        }
        let unsigned = try await sealedBytes(["--recipient", fixture.ours.hex, "--encrypt"])
        #expect(try await fixture.us.decrypt(unsigned, passphraseFile: fixture.passphraseFile).signature == .none)

        let impostor = try await OpenPGPFixture.generate(in: fixture.bankHome, "Impostor <x@example.com>")
        let foreign = try await sealedBytes(["--recipient", fixture.ours.hex, "--local-user", impostor.hex, "--sign", "--encrypt"])
        guard case .unknownKey = try await fixture.us.decrypt(foreign, passphraseFile: fixture.passphraseFile).signature else {
            Issue.record("a signature by a key we do not hold is unknown")
            return
        }

        var tampered = try await sealedBytes(["--recipient", fixture.ours.hex, "--local-user", fixture.banks.hex, "--sign", "--encrypt"])
        tampered[tampered.count - 20] ^= 0x01
        await #expect { _ = try await fixture.us.decrypt(tampered, passphraseFile: fixture.passphraseFile) } throws: {
            ($0 as? OpenPGPError)?.code == .invalidData
        }

        let notOurs = try await sealedBytes(["--recipient", fixture.banks.hex, "--encrypt"])
        await #expect { _ = try await fixture.us.decrypt(notOurs, passphraseFile: fixture.passphraseFile) } throws: {
            ($0 as? OpenPGPError)?.code == .noSecretKey
        }

        let wrong = try fixture.file("wrong", Array("not the passphrase\n".utf8))
        await fixture.us.stopAgent() // the agent caches the passphrase it was given before
        await #expect { _ = try await fixture.us.decrypt(unsigned, passphraseFile: wrong) } throws: {
            ($0 as? OpenPGPError)?.code == .badPassphrase && !"\($0)".contains("not the passphrase")
        }
        await #expect {
            _ = try await fixture.us.encrypt(Self.plaintext, name: "f", to: fixture.banks, signedBy: fixture.ours, passphraseFile: wrong, armored: true)
        } throws: { ($0 as? OpenPGPError)?.code == .badPassphrase }
        await #expect { _ = try await fixture.us.decrypt(Self.plaintext, passphraseFile: fixture.passphraseFile) } throws: {
            ($0 as? OpenPGPError)?.code == .invalidData
        }
    }

    @Test("an expired or unknown recipient is refused before anything is encrypted")
    func deadRecipient() async throws {
        let fixture = try await OpenPGPFixture()
        defer { Task { await fixture.stop() } }
        let later = Date().addingTimeInterval(400 * 86_400)
        await #expect {
            _ = try await fixture.us.encrypt(Self.plaintext, name: "f", to: fixture.banks, signedBy: nil, passphraseFile: nil, armored: true, now: later)
        } throws: { ($0 as? OpenPGPError)?.code == .unusableKey && "\($0)".contains("expired") }
        await #expect {
            _ = try await fixture.us.encrypt(Self.plaintext, name: "f", to: try Fingerprint(String(repeating: "B", count: 40)), signedBy: nil,
                                             passphraseFile: nil, armored: true)
        } throws: { ($0 as? OpenPGPError)?.code == .unknownKey }
        // The bank's key cannot sign for us: we hold no secret part of it.
        await #expect {
            _ = try await fixture.us.encrypt(Self.plaintext, name: "f", to: fixture.banks, signedBy: fixture.banks, passphraseFile: nil, armored: true)
        } throws: { ($0 as? OpenPGPError)?.code == .unknownKey }
    }
}
