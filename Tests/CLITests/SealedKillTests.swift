import Foundation
import OpenPGP
import Payments
import Testing
import TestSupport

/// The sealed cutoff killed with SIGKILL at arbitrary moments (between sealing and upload, during
/// the upload), then run to the end: each file at the bank once, the sealed bytes archived before
/// the kill, never sealed again, and each one the bank's gpg opens to the plaintext archived
/// beside it. In the second test phase, beside the other gpg tests.
@Suite(.serialized) struct SealedKillTests {
    @Test func aSealedCutoffSurvivesSIGKILLAnywhere() async throws {
        let keys = try await OpenPGPFixture()
        let server = try SSHServer.start()
        defer { server.stop() }
        let files = try await KillTests.killedCutoffs(server: server, environment: [
            "METL_GNUPGHOME": keys.us.home, "METL_ENCRYPT_TO": keys.banks.hex, "METL_SIGN_WITH": keys.ours.hex,
            "METL_SIGNING_PASSPHRASE_FILE": keys.passphraseFile,
        ])
        #expect(!files.isEmpty)
        for file in files {
            let sealing = try #require(file.sealing)
            #expect(file.name.hasSuffix(".ach.pgp") && sealing.recipient == keys.banks.hex && sealing.signer == keys.ours.hex)
            let opened = keys.directory.appendingPathComponent("\(file.id).ach").path
            try await keys.bank(["--output", opened, "--decrypt", server.root + "/" + file.name])
            #expect(SHA256Digest.hex(try keys.read(opened)) == sealing.plaintextSHA256)
        }
        await keys.stop()
    }
}
