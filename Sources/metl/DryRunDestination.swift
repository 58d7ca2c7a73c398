import Pipeline

/// The destination of `metl cutoff --dry-run`, which renders and validates but sends nothing, so
/// needs no destination configured: connecting to it is refused.
struct DryRunDestination: Destination {
    var description: String { "a dry run (nothing is sent)" }

    func connect(deadline: ContinuousClock.Instant) async throws(DestinationError) -> any DestinationSession {
        throw DestinationError(.permanent, "a dry run sends nothing")
    }
}
