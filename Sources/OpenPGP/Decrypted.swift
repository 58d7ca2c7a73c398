/// What decrypting (and verifying) a message gave: the plaintext, whether it was encrypted to us,
/// and what its signature says.
public struct Decrypted: Sendable, Hashable {
    public enum Signature: Sendable, Hashable {
        /// Not signed.
        case none
        /// A good signature; the signer's primary key fingerprint.
        case good(Fingerprint)
        /// A signature that does not verify (the data was altered, or the signature is damaged).
        case bad(keyID: String)
        /// Signed by a key the home does not hold: its long key id, all a signature names.
        case unknownKey(keyID: String)
        /// A good signature by a key that has expired or been revoked since.
        case deadKey(Fingerprint)
    }

    public var plaintext: [UInt8]
    /// False for a message that was only signed.
    public var wasEncrypted: Bool
    public var signature: Signature

    public init(plaintext: [UInt8], wasEncrypted: Bool, signature: Signature) {
        self.plaintext = plaintext
        self.wasEncrypted = wasEncrypted
        self.signature = signature
    }
}

/// What decrypting into a sink gave (the plaintext went to the sink): whether it was encrypted to
/// us, and what its signature says.
public struct DecryptedStream: Sendable, Hashable {
    /// False for a message that was only signed.
    public var wasEncrypted: Bool
    public var signature: Decrypted.Signature

    public init(wasEncrypted: Bool, signature: Decrypted.Signature) {
        self.wasEncrypted = wasEncrypted
        self.signature = signature
    }
}
