extension Duration {
    /// The duration in seconds, fractions included: what `Date` arithmetic and timers want.
    public var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
