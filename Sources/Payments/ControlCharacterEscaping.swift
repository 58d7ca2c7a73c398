extension String {
    /// The text with every character that could forge a line or drive a terminal written as an
    /// escape: C0 controls (`\n`, `\r`, `\t` by name, others as `\u{1B}`), DEL, C1 controls, the
    /// Unicode line and paragraph separators and the bidirectional overrides. For values from outside
    /// (file names, remote paths, bank text, request ids) put into log lines and terminal output.
    public var escapingControlCharacters: String {
        guard unicodeScalars.contains(where: Self.needsEscape) else { return self }
        var escaped = String.UnicodeScalarView()
        for scalar in unicodeScalars {
            guard Self.needsEscape(scalar) else {
                escaped.append(scalar)
                continue
            }
            let text: String = switch scalar {
            case "\n": "\\n"
            case "\r": "\\r"
            case "\t": "\\t"
            default: "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            }
            escaped.append(contentsOf: text.unicodeScalars)
        }
        return String(escaped)
    }

    private static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F, 0x2028, 0x2029, 0x202A...0x202E, 0x2066...0x2069: true
        default: false
        }
    }
}
