/// The destination of `metl cutoff --dry-run`, which renders and validates but sends nothing, so
/// needs no destination configured: connecting to it is refused.
public struct DryRunDestination: Destination {
    public init() {}

    public var description: String { "a dry run (nothing is sent)" }

    public func connect(deadline: ContinuousClock.Instant) async throws(DestinationError) -> any DestinationSession {
        throw DestinationError(.permanent, "a dry run sends nothing")
    }
}
