/// Idempotency keys are UUID v4 in their 36-character text form, compared case-insensitively.
public enum IdempotencyKey {
    /// The key lower-cased, or an `invalidRequest` error naming `field`.
    public static func validate(_ key: String, field: String = "idempotency_key") throws(PaymentError) -> String {
        let lower = key.lowercased()
        let bytes = Array(lower.utf8)
        let hyphens: Set<Int> = [8, 13, 18, 23]
        var valid = bytes.count == 36
        if valid {
            for (index, byte) in bytes.enumerated() {
                let isHex = (0x30...0x39).contains(byte) || (0x61...0x66).contains(byte)
                valid = valid && (hyphens.contains(index) ? byte == 0x2D : isHex)
            }
            // Version nibble 4; variant 10xx (8, 9, a, b).
            valid = valid && bytes[14] == UInt8(ascii: "4") && "89ab".utf8.contains(bytes[19])
        }
        guard valid else {
            throw PaymentError(.invalidRequest, "the idempotency key is invalid",
                               fieldErrors: [.init(field: field, code: "invalid_uuid_v4", message: "must be a UUID v4 (36 characters)")])
        }
        return lower
    }
}
