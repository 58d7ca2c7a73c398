/// Counted nouns as the CLI prints them: `1 row`, `2 rows`.
enum Words {
    static func count(_ number: Int, _ noun: String, plural: String? = nil) -> String {
        "\(number) \(number == 1 ? noun : plural ?? noun + "s")"
    }
}
