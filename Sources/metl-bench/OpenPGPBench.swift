import Foundation
import OpenPGP
import TestSupport

/// `metl-bench openpgp [ENTRIES]`: a 100,000-entry NACHA-sized file (94-character records, about
/// 9.5 MB) encrypted to the bank's key and signed with ours, and the bank's file of that size
/// decrypted and verified, each through metl's `OpenPGP` module and, in the same run, through the
/// `gpg` command line doing the same with files.
enum OpenPGPBench {
    static func run(entries: Int = 100_000) async throws {
        report("== openpgp (\(entries) 94-character records, encrypt + sign, decrypt + verify; metl vs the gpg command line)")
        let keys = try await OpenPGPFixture()
        var text = "101 121042882 0910000192612031430A094101FEDERAL RESERVE BANK   METL BENCH BANK        \n"
        text.reserveCapacity((entries + 4) * 95)
        func padded(_ text: String, _ width: Int) -> String { text.padding(toLength: width, withPad: " ", startingAt: 0) }
        for index in 0..<entries {
            // An entry detail record's 94 characters: code, routing and check digit, account, amount, id, name, addenda, trace.
            text += "622121042882" + padded(String(100_000_000 + index), 17) + String(format: "%010d", 1_000 + index % 90_000)
                + padded("ID\(index)", 15) + padded("PAYEE \(index % 997)", 22) + "  0" + String(format: "%015d", 121_042_880_000_000 + index) + "\n"
        }
        let plaintext = Array(text.utf8)
        let gpg = "/usr/bin/gpg"
        let usHome = keys.us.home
        let input = try keys.file("plain.ach", plaintext)
        let output = keys.directory.appendingPathComponent("out.pgp").path

        // Warm the agent (it unlocks our key once), so neither side pays for that.
        _ = try await keys.us.encrypt(Array(plaintext.prefix(1_000)), name: "warm", to: keys.banks, signedBy: keys.ours,
                                      passphraseFile: keys.passphraseFile, armored: false)
        let (sealed, metlSeal) = try await measure {
            try await keys.us.encrypt(plaintext, name: "plain.ach", to: keys.banks, signedBy: keys.ours, passphraseFile: keys.passphraseFile,
                                      armored: false)
        }
        let (_, cliSeal) = try measure {
            try ExternalCommand.run(gpg, ["--homedir", usHome, "--batch", "--yes", "--pinentry-mode", "loopback", "--passphrase-file",
                                          keys.passphraseFile, "--trust-model", "always", "--recipient", keys.banks.hex, "--local-user",
                                          keys.ours.hex, "--sign", "--encrypt", "--output", output, input])
        }
        report(String(format: "encrypt + sign %.1f MB: metl %.2f s, gpg CLI %.2f s (%.2f×); %d bytes sealed", Double(plaintext.count) / 1e6,
                      metlSeal, cliSeal, metlSeal / cliSeal, sealed.count))

        // The bank's file to us, signed: decrypted and verified.
        let fromBank = keys.directory.appendingPathComponent("from-bank.pgp").path
        try await keys.bank(["--recipient", keys.ours.hex, "--local-user", keys.banks.hex, "--sign", "--encrypt", "--output", fromBank, input])
        let bankBytes = try keys.read(fromBank)
        let (opened, metlOpen) = try await measure { try await keys.us.decrypt(bankBytes, passphraseFile: keys.passphraseFile) }
        guard opened.plaintext == plaintext, opened.signature == .good(keys.banks) else {
            throw OpenPGPError(.invalidData, "the decrypted file differs, or its signature is not the bank's")
        }
        let (_, cliOpen) = try measure {
            try ExternalCommand.run(gpg, ["--homedir", usHome, "--batch", "--yes", "--pinentry-mode", "loopback", "--passphrase-file",
                                          keys.passphraseFile, "--trust-model", "always", "--output", output, "--decrypt", fromBank])
        }
        report(String(format: "decrypt + verify: metl %.2f s, gpg CLI %.2f s (%.2f×)", metlOpen, cliOpen, metlOpen / cliOpen))
        await keys.stop()
    }
}
