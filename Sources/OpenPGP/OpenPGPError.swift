/// Why an OpenPGP operation failed. Descriptions name keys by fingerprint and never carry a
/// passphrase or key material.
public struct OpenPGPError: Error, Sendable, Hashable, CustomStringConvertible {
    public struct Code: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// Not a full 40-hex fingerprint.
        public static let invalidFingerprint = Code(rawValue: "invalid_fingerprint")
        /// No key with that fingerprint in the home (or no secret key where one is needed).
        public static let unknownKey = Code(rawValue: "unknown_key")
        /// The key is expired or revoked, or cannot do what is asked (encrypt, sign).
        public static let unusableKey = Code(rawValue: "unusable_key")
        /// The data is not OpenPGP, or is damaged.
        public static let invalidData = Code(rawValue: "invalid_data")
        /// Encrypted to keys we do not hold.
        public static let noSecretKey = Code(rawValue: "no_secret_key")
        /// The passphrase was wrong, missing or unreadable.
        public static let badPassphrase = Code(rawValue: "bad_passphrase")
        /// The decrypted plaintext passes the caller's limit (a compressed message can expand a
        /// thousandfold); decryption stopped there.
        public static let tooLarge = Code(rawValue: "too_large")
        /// `gpg` could not be run, or failed in a way the others do not cover.
        public static let gnupgFailed = Code(rawValue: "gnupg_failed")
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
