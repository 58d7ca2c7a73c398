/// Why the writer refused a model: a value that does not fit its field is an error, never truncated.
public struct WriteError: Error, Sendable, Hashable, CustomStringConvertible {
    public struct Code: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        public static let valueTooLong = Code(rawValue: "value_too_long")
        public static let numberOutOfRange = Code(rawValue: "number_out_of_range")
        public static let invalidCharacter = Code(rawValue: "invalid_character")
        public static let tooManyAddenda = Code(rawValue: "too_many_addenda")
        /// A date that is not a calendar date in 2000–2099, which `YYMMDD` cannot carry unambiguously.
        public static let dateOutOfRange = Code(rawValue: "date_out_of_range")
    }

    public var code: Code
    /// The record's 1-based position in the output.
    public var record: Int
    public var field: String
    public var maximumLength: Int

    public var description: String {
        switch code {
        case .valueTooLong: "record \(record): \(field) is longer than its \(maximumLength) characters"
        case .numberOutOfRange: "record \(record): \(field) does not fit in \(maximumLength) digits (or is negative)"
        case .invalidCharacter: "record \(record): \(field) contains a character outside printable ASCII"
        case .dateOutOfRange: "record \(record): \(field) is not a calendar date in 2000–2099, which YYMMDD cannot carry unambiguously"
        default: "record \(record): \(field) has more entries than the format allows"
        }
    }
}
