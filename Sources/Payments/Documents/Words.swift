/// Counted nouns as people read them, in messages and CLI output alike: `1 row`, `2 rows`.
public enum Words {
    public static func count(_ number: some BinaryInteger, _ noun: String, plural: String? = nil) -> String {
        "\(number) \(number == 1 ? noun : plural ?? noun + "s")"
    }
}
