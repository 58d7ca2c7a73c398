/// ABA routing-number arithmetic: the mod-10 check digit with weights 3 7 1.
public enum RoutingNumber {
    private static let weights = [3, 7, 1, 3, 7, 1, 3, 7]

    /// The check digit for the first eight digits of a routing number.
    public static func checkDigit(forFirstEight digits: some Collection<UInt8>) -> Int {
        var sum = 0
        for (digit, weight) in zip(digits, weights) { sum += Int(digit) * weight }
        return (10 - sum % 10) % 10
    }

    /// The check digit for an 8-digit receiving/originating DFI identification.
    public static func checkDigit(forDFI dfi: Int) -> Int {
        // Weights from the last digit backwards: 7 3 1 7 3 1 7 3.
        var rest = dfi
        var sum = 0
        var position = 0
        while position < 8 {
            sum += (rest % 10) * (position % 3 == 0 ? 7 : position % 3 == 1 ? 3 : 1)
            rest /= 10
            position += 1
        }
        return (10 - sum % 10) % 10
    }

    /// True when `text` is exactly nine ASCII digits whose last digit is the check digit of the first eight.
    public static func isValid(_ text: some StringProtocol) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 9, bytes.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return false }
        let digits = bytes.map { $0 - 0x30 }
        return checkDigit(forFirstEight: digits.prefix(8)) == Int(digits[8])
    }
}
