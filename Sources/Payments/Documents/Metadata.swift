/// The rules every request's `metadata` follows (payments and checks alike): at most 50 keys, keys
/// of 1–40 and values of at most 500 bytes, no control characters.
enum Metadata {
    static func problems(in metadata: [String: String]) -> [PaymentError.FieldError] {
        var errors: [PaymentError.FieldError] = []
        if metadata.count > 50 { errors.append(.init(field: "metadata", code: "too_many", message: "may hold at most 50 keys")) }
        for (key, value) in metadata.sorted(by: { $0.key < $1.key }) {
            if key.utf8.count > 40 || value.utf8.count > 500 {
                errors.append(.init(field: "metadata.\(key.prefix(40))", code: "too_long", message: "keys are at most 40 and values 500 bytes"))
            } else if key.isEmpty {
                errors.append(.init(field: "metadata", code: "empty_key", message: "keys must not be empty"))
            } else if (key + value).utf8.contains(where: { $0 < 0x20 || $0 == 0x7F }) {
                errors.append(.init(field: "metadata.\(key)", code: "invalid_character",
                                    message: "keys and values must not contain control characters (NUL, newline, …)"))
            }
        }
        return errors
    }
}
