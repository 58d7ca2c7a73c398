/// Reads typed values out of one 94-byte record, noting every field that is not what its layout says.
struct FieldDecoder {
    let bytes: UnsafeBufferPointer<UInt8>
    let line: Int
    var diagnostics: [Diagnostic] = []

    init(_ bytes: UnsafeBufferPointer<UInt8>, line: Int) {
        self.bytes = bytes
        self.line = line
    }

    mutating func report(_ code: Diagnostic.Code, _ field: Field?, _ message: String) {
        diagnostics.append(Diagnostic(code, line: line, recordType: Character(Unicode.Scalar(bytes[0])),
                                      field: field, message))
    }

    /// The digits of a numeric field; a non-digit is reported and the value read as 0.
    mutating func number(_ field: Field) -> Int {
        var value = 0
        let end = field.start - 1 + field.length
        var index = field.start - 1
        while index < end {
            let digit = bytes[index] &- 0x30
            guard digit < 10 else {
                report(.nonNumeric, field, "\(field.name) must be digits only")
                return 0
            }
            value = value &* 10 &+ Int(digit)
            index += 1
        }
        return value
    }

    /// A numeric field that may be left blank (all spaces).
    mutating func optionalNumber(_ field: Field) -> Int? {
        isBlank(field) ? nil : number(field)
    }

    func isBlank(_ field: Field) -> Bool {
        bytes[field.range].allSatisfy { $0 == 0x20 }
    }

    /// All spaces or zeros: how NACHA spells "missing" in a mandatory alphanumeric field.
    func isBlankOrZeros(_ field: Field) -> Bool {
        bytes[field.range].allSatisfy { $0 == 0x20 || $0 == 0x30 }
    }

    /// True when the field's raw characters are exactly `text`.
    func holds(_ field: Field, _ text: StaticString) -> Bool {
        guard text.utf8CodeUnitCount == field.length else { return false }
        return bytes[field.range].elementsEqual(UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// An alphanumeric field without its fill: trailing spaces for left-justified fields,
    /// leading spaces for right-justified ones.
    func text(_ field: Field) -> String {
        var start = field.start - 1
        var end = start + field.length
        if field.justification == .rightAlphanumeric {
            while start < end, bytes[start] == 0x20 { start += 1 }
        } else {
            while end > start, bytes[end - 1] == 0x20 { end -= 1 }
        }
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
    }

    /// A mandatory alphanumeric field that must not be all spaces or all zeros.
    mutating func mandatoryText(_ field: Field) -> String {
        let value = text(field)
        if value.utf8.allSatisfy({ $0 == 0x20 || $0 == 0x30 }) {
            report(.mandatoryField, field, "\(field.name) is mandatory and must not be all spaces or zeros")
        }
        return value
    }

    mutating func date(_ field: Field) -> ACHDate {
        let date = ACHDate(yymmdd: number(field))
        if !date.isValid, diagnostics.last?.field != field.name {
            report(.invalidDate, field, "\(field.name) is not a calendar date (YYMMDD)")
        }
        return date
    }

    /// An alphanumeric date field that may be blank (date of death, date original entry returned).
    mutating func optionalDate(_ field: Field) -> ACHDate? {
        isBlank(field) ? nil : date(field)
    }

    /// A Julian day (001–366) or blank.
    mutating func julianDay(_ field: Field) -> String {
        let value = text(field)
        if !value.isEmpty, !(Int(value).map { (1...366).contains($0) } ?? false) || value.utf8.count != 3 {
            report(.invalidDate, field, "\(field.name) must be a Julian day 001-366 or blank")
        }
        return value
    }
}
