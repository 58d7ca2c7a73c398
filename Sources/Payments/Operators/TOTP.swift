import Crypto
import Foundation

/// Time-based one-time passwords (RFC 6238) as authenticator apps expect them: HMAC-SHA-1, 30-second
/// steps, 6 digits, the secret in base32 in an `otpauth://` URI.
public enum TOTP {
    public static let period: Int64 = 30
    public static let digits = 6

    /// A new 20-byte secret (RFC 4226's recommended length).
    public static func makeSecret() -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<20).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }

    /// The 30-second step `date` falls in.
    public static func step(at date: Date) -> Int64 { Int64(date.timeIntervalSince1970.rounded(.down)) / period }

    /// The code for `step`: HOTP (RFC 4226) over the step counter.
    public static func code(secret: [UInt8], step: Int64) -> String {
        var counter = UInt64(bitPattern: step).bigEndian
        let message = withUnsafeBytes(of: &counter) { Array($0) }
        let mac = Array(HMAC<Insecure.SHA1>.authenticationCode(for: message, using: SymmetricKey(data: secret)))
        let offset = Int(mac[mac.count - 1] & 0x0F)
        let binary = (UInt32(mac[offset] & 0x7F) << 24) | (UInt32(mac[offset + 1]) << 16) | (UInt32(mac[offset + 2]) << 8) | UInt32(mac[offset + 3])
        let value = binary % 1_000_000
        let text = String(value)
        return String(repeating: "0", count: digits - text.count) + text
    }

    /// The step `code` is valid for at `date`, allowing one step of clock drift either way; nil when none.
    public static func matchingStep(_ code: String, secret: [UInt8], at date: Date) -> Int64? {
        let now = step(at: date)
        return [now, now - 1, now + 1].first { candidate in
            // Compared whole, in constant time for equal lengths.
            let expected = Array(Self.code(secret: secret, step: candidate).utf8), given = Array(code.utf8)
            return expected.count == given.count && zip(expected, given).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
        }
    }

    /// The `otpauth://` URI an authenticator app enrols from.
    public static func uri(secret: [UInt8], account: String, issuer: String = "metl") -> String {
        let label = "\(issuer):\(account)".addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(.init(charactersIn: ":/"))) ?? account
        return "otpauth://totp/\(label)?secret=\(base32(secret))&issuer=\(issuer)&algorithm=SHA1&digits=\(digits)&period=\(period)"
    }

    /// RFC 4648 base32, without padding, as otpauth URIs carry secrets.
    public static func base32(_ bytes: [UInt8]) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
        var output = "", buffer = 0, bits = 0
        for byte in bytes {
            buffer = (buffer << 8) | Int(byte)
            bits += 8
            while bits >= 5 {
                output.append(alphabet[(buffer >> (bits - 5)) & 31])
                bits -= 5
            }
        }
        if bits > 0 { output.append(alphabet[(buffer << (5 - bits)) & 31]) }
        return output
    }
}
