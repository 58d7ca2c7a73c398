/// A trace number as banks print it and merchants see it: 15 digits, zero-padded, and a string
/// wherever metl shows one, so no JSON reader rounds it or drops its leading zeros.
public enum TraceNumber {
    public static func text(_ number: Int) -> String {
        let digits = String(number)
        return String(repeating: "0", count: max(0, 15 - digits.count)) + digits
    }
}
