import Crypto

/// SHA-256 as lower-case hex: request fingerprints, archive addresses and file hashes all use this one.
public enum SHA256Digest {
    public static func hex(_ bytes: [UInt8]) -> String {
        hex(digest: SHA256.hash(data: bytes))
    }

    /// A digest of data that arrives in pieces (a file streamed into the archive).
    public struct Stream {
        private var hasher = SHA256()

        public init() {}

        public mutating func update(_ buffer: UnsafeRawBufferPointer) {
            hasher.update(bufferPointer: buffer)
        }

        /// The hex digest of everything so far.
        public var hex: String { SHA256Digest.hex(digest: hasher.finalize()) }
    }

    private static func hex(digest: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var hex = [UInt8]()
        hex.reserveCapacity(64)
        for byte in digest {
            hex.append(digits[Int(byte >> 4)])
            hex.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: hex, as: UTF8.self)
    }
}
