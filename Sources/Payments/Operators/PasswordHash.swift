import HummingbirdBcrypt

/// Operators' passwords: bcrypt (salted, cost 12), from hummingbird-auth. Only the hash is kept,
/// and neither the password nor the hash is ever logged or printed.
public enum PasswordHash {
    /// The shortest password accepted.
    public static let minimumLength = 12

    public static func make(_ password: String) throws(PaymentError) -> String {
        guard password.count >= minimumLength else {
            throw PaymentError(.invalidRequest, "a password has at least \(minimumLength) characters")
        }
        // bcrypt reads at most 72 bytes: a longer password would be cut silently.
        guard password.utf8.count <= 72 else { throw PaymentError(.invalidRequest, "a password has at most 72 bytes") }
        return Bcrypt.hash(password, cost: 12)
    }

    public static func verify(_ password: String, against hash: String) -> Bool {
        Bcrypt.verify(password, hash: hash)
    }
}
