/// An amount in a text file (CSV): whole cents as plain digits, as the JSON documents take them.
/// No sign, no spaces, no decimal point: `+100` or `1e3` is not an amount a person meant to write.
public enum CentsText {
    public static func parse(_ text: some StringProtocol) -> Int64? {
        guard !text.isEmpty, text.utf8.count <= 18, text.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
        return Int64(text)
    }
}
