import Foundation

/// The keys of the home: ours (with their secret part) and the banks' public keys.
extension GnuPG {
    /// Imports public keys, or our secret key, from `bytes` (armoured or binary); returns the
    /// fingerprints imported or already there.
    public func importKeys(_ bytes: [UInt8], passphraseFile: String? = nil) async throws(OpenPGPError) -> [Fingerprint] {
        let run = try await run(["--import"], input: bytes, passphraseFile: passphraseFile)
        let imported = run.status.filter { $0.keyword == "IMPORT_OK" }.compactMap { line in
            line.arguments.dropFirst().first.flatMap { try? Fingerprint($0) }
        }
        guard !imported.isEmpty else {
            throw OpenPGPError(.invalidData, "no OpenPGP key found in the data (\(run.diagnostics))")
        }
        return Array(Set(imported)).sorted()
    }

    /// Every key of the home, ours first, each once.
    public func keys() async throws(OpenPGPError) -> [OpenPGPKey] {
        let listing = try await run(["--with-colons", "--fixed-list-mode", "--list-keys"])
        guard listing.succeeded else { throw OpenPGPError(.gnupgFailed, "cannot list the keys: \(listing.diagnostics)") }
        let secrets = try await run(["--with-colons", "--fixed-list-mode", "--list-secret-keys"])
        let secret = Set(Self.parseKeys(String(decoding: secrets.output, as: UTF8.self)).map(\.fingerprint))
        return Self.parseKeys(String(decoding: listing.output, as: UTF8.self)).map { key in
            var key = key
            key.hasSecret = secret.contains(key.fingerprint)
            return key
        }.sorted { ($0.hasSecret ? 0 : 1, $0.fingerprint) < ($1.hasSecret ? 0 : 1, $1.fingerprint) }
    }

    /// The key with `fingerprint`, or a refusal naming it.
    public func key(_ fingerprint: Fingerprint) async throws(OpenPGPError) -> OpenPGPKey {
        guard let key = try await keys().first(where: { $0.fingerprint == fingerprint }) else {
            throw OpenPGPError(.unknownKey, "no key \(fingerprint) in the GnuPG home \(home)")
        }
        return key
    }

    /// Our public key as the bank receives it.
    public func exportPublic(_ fingerprint: Fingerprint, armored: Bool = true) async throws(OpenPGPError) -> [UInt8] {
        let run = try await run((armored ? ["--armor"] : []) + ["--export", fingerprint.hex])
        guard run.succeeded, !run.output.isEmpty else { throw OpenPGPError(.unknownKey, "no key \(fingerprint) in the GnuPG home \(home)") }
        return run.output
    }

    /// Makes a key pair for us: an Ed25519 signing key with a Curve25519 encryption subkey, both
    /// expiring after `expires` (`2y`, `18m`, `90d`, or `never`). Without `passphraseFile` the
    /// secret key is stored unprotected.
    public func generate(name: String, email: String, expires: String, passphraseFile: String?) async throws(OpenPGPError) -> Fingerprint {
        let forbidden = Set("<>()\"\\".unicodeScalars)
        for (field, value) in [("name", name), ("email", email)] {
            guard !value.isEmpty, value.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7F && !forbidden.contains($0) }) else {
                throw OpenPGPError(.gnupgFailed, "the \(field) must be printable text without < > ( ) \" or \\")
            }
        }
        guard expires == "never" || expires.wholeMatch(of: /[1-9][0-9]{0,3}[dwmy]/) != nil else {
            throw OpenPGPError(.gnupgFailed, "an expiry is a number of days, weeks, months or years (90d, 2y) or never")
        }
        var arguments = ["--quick-generate-key", "\(name) <\(email)>", "future-default", "default", expires]
        if passphraseFile == nil { arguments = ["--pinentry-mode", "loopback", "--passphrase", ""] + arguments }
        let run = try await run(arguments, passphraseFile: passphraseFile)
        guard let created = run.status.first("KEY_CREATED")?.arguments.dropFirst().first, let fingerprint = try? Fingerprint(created) else {
            throw OpenPGPError(.gnupgFailed, "gpg did not create the key: \(run.diagnostics)")
        }
        return fingerprint
    }

    /// Keys from `gpg --with-colons --fixed-list-mode` output: each `pub` or `sec` record with the
    /// `fpr` that follows it and its `uid`s (subkeys' records are skipped: the primary's
    /// capability field already sums them up, in upper case for what the key can do now).
    static func parseKeys(_ text: String) -> [OpenPGPKey] {
        var keys: [OpenPGPKey] = []
        var primary: [String]?
        for line in text.split(whereSeparator: \.isNewline) {
            let fields = line.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            func field(_ index: Int, of fields: [String] = fields) -> String { index < fields.count ? fields[index] : "" }
            switch fields.first {
            case "pub", "sec":
                primary = fields
            case "fpr":
                guard let record = primary, let fingerprint = try? Fingerprint(field(9)) else { continue }
                primary = nil
                let summary = field(11, of: record)
                var capabilities: OpenPGPKey.Capabilities = []
                if summary.contains("E") { capabilities.insert(.encrypt) }
                if summary.contains("S") { capabilities.insert(.sign) }
                if summary.contains("C") { capabilities.insert(.certify) }
                keys.append(OpenPGPKey(
                    fingerprint: fingerprint, userIDs: [], created: Date(timeIntervalSince1970: TimeInterval(field(5, of: record)) ?? 0),
                    expires: TimeInterval(field(6, of: record)).map { Date(timeIntervalSince1970: $0) }, capabilities: capabilities,
                    revoked: field(1, of: record) == "r", hasSecret: record.first == "sec"))
            case "uid":
                guard !keys.isEmpty else { continue }
                keys[keys.count - 1].userIDs.append(unescape(field(9)))
            case "sub", "ssb":
                primary = nil
            default:
                continue
            }
        }
        return keys
    }

    /// `--with-colons` escapes `:` and other bytes in user ids as `\xHH`.
    static func unescape(_ text: String) -> String {
        let utf8 = Array(text.utf8)
        var bytes: [UInt8] = []
        var i = 0
        while i < utf8.count {
            if utf8[i] == 0x5C, i + 3 < utf8.count, utf8[i + 1] == 0x78,
               let value = UInt8(String(decoding: utf8[(i + 2)...(i + 3)], as: UTF8.self), radix: 16) {
                bytes.append(value)
                i += 4
            } else {
                bytes.append(utf8[i])
                i += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
