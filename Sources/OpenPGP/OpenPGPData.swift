/// Recognises OpenPGP data by its first bytes, armoured or binary, so ingest knows to decrypt a
/// file before it looks at its kind.
public enum OpenPGPData {
    public static func recognises(_ head: some Collection<UInt8>) -> Bool {
        let bytes = Array(head.prefix(64))
        if bytes.starts(with: Array("-----BEGIN PGP MESSAGE-----".utf8)) { return true }
        // A binary packet: the tag byte has its top bit set; encrypted data starts with a public-key
        // encrypted session key (tag 1), a symmetric one (tag 3), or, signed only, a one-pass
        // signature (tag 4) or compressed data (tag 8).
        guard let first = bytes.first, first & 0x80 != 0 else { return false }
        let tag = first & 0x40 != 0 ? first & 0x3F : (first >> 2) & 0x0F
        return [1, 3, 4, 8].contains(tag)
    }
}
