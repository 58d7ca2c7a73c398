/// A fixed-position field of a 94-character record, described once and used by the parser,
/// the writer and `metl inspect` alike, so positions live in exactly one place.
public struct Field: Sendable, Hashable {
    /// How the field is justified and filled.
    public enum Justification: Sendable, Hashable {
        /// Digits only, right-justified, zero-filled.
        case numeric
        /// Left-justified, space-filled.
        case alphanumeric
        /// Right-justified, space-filled (immediate destination/origin: ` 091000019`).
        case rightAlphanumeric
    }

    /// What the field means, so tools can render it for a person (amounts as dollars, codes with their meaning).
    public enum Meaning: Sendable, Hashable {
        case text, number, amount, date, time, julianDay, routing, transactionCode, serviceClass,
             standardEntryClass, returnReasonCode, changeCode, addendaType, constant
    }

    public let name: String
    /// 1-based position of the first character, as in the NACHA tables.
    public let start: Int
    public let length: Int
    public let justification: Justification
    public let meaning: Meaning

    public init(_ name: String, _ start: Int, _ length: Int, _ justification: Justification, _ meaning: Meaning = .text) {
        self.name = name
        self.start = start
        self.length = length
        self.justification = justification
        self.meaning = meaning
    }

    /// 1-based position of the last character.
    public var end: Int { start + length - 1 }
    /// Zero-based byte range inside the record.
    var range: Range<Int> { (start - 1)..<(start - 1 + length) }

    static func numeric(_ name: String, _ start: Int, _ length: Int, _ meaning: Meaning = .number) -> Field {
        Field(name, start, length, .numeric, meaning)
    }

    static func alpha(_ name: String, _ start: Int, _ length: Int, _ meaning: Meaning = .text) -> Field {
        Field(name, start, length, .alphanumeric, meaning)
    }
}
