extension Duration {
    /// The duration in seconds, fractions included: what `Date` arithmetic and timers want.
    public var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }

    /// As a log line shows it: seconds to the hundredth, `0.92s`.
    public var rounded: String { String(format: "%.2fs", seconds) }

    /// As a setting spells it (the inverse of `init(parsing:)`): the largest unit that divides it, `15m`, `90s`, `250ms`.
    public var setting: String {
        let milliseconds = components.seconds * 1_000 + components.attoseconds / 1_000_000_000_000_000
        for (suffix, size) in [("d", Int64(86_400_000)), ("h", 3_600_000), ("m", 60_000), ("s", 1_000)] where milliseconds % size == 0 && milliseconds > 0 {
            return "\(milliseconds / size)\(suffix)"
        }
        return "\(milliseconds)ms"
    }

    /// The one duration grammar of every setting and flag: a whole number and a unit, `250ms`, `90s`,
    /// `15m`, `2h`, `1d`.
    public init?(parsing text: String) {
        let units: [(String, Int64)] = [("ms", 1), ("s", 1_000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000)]
        for (suffix, milliseconds) in units where text.hasSuffix(suffix) {
            // "ms" also ends in "s": only a plain integer before the unit counts.
            guard let value = Int64(text.dropLast(suffix.count)), value >= 0 else { continue }
            self = .milliseconds(value * milliseconds)
            return
        }
        return nil
    }
}
