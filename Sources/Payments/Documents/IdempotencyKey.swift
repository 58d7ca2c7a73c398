/// Idempotency keys are UUID v4 in their 36-character text form, compared case-insensitively.
public enum IdempotencyKey {
    /// The key lower-cased, or an `invalidRequest` error naming `field`.
    public static func validate(_ key: String, field: String = "idempotency_key") throws(PaymentError) -> String {
        let lower = ASCIIText.lowercased(key)
        var valid = lower.utf8.count == 36
        if valid {
            for (index, byte) in lower.utf8.enumerated() {
                let isHex = (0x30...0x39).contains(byte) || (0x61...0x66).contains(byte)
                switch index {
                case 8, 13, 18, 23: valid = valid && byte == 0x2D
                // Version nibble 4; variant 10xx (8, 9, a, b).
                case 14: valid = valid && byte == UInt8(ascii: "4")
                case 19: valid = valid && (byte == UInt8(ascii: "8") || byte == UInt8(ascii: "9") || byte == UInt8(ascii: "a") || byte == UInt8(ascii: "b"))
                default: valid = valid && isHex
                }
            }
        }
        guard valid else {
            throw PaymentError(.invalidRequest, "the idempotency key is invalid",
                               fieldErrors: [.init(field: field, code: "invalid_uuid_v4", message: "must be a UUID v4 (36 characters)")])
        }
        return lower
    }
}
