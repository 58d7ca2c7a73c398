/// Webhook delivery: the outbox worker that signs and POSTs events with retries, backoff and dead
/// letters, and the policies it follows (retry schedule, allowed addresses).
import Foundation
import Payments

/// How long to wait before each retry. The first attempt is immediate; after attempt n fails the next
/// waits `delays[n-1]` (± jitter); after the last one the event is dead-lettered.
public struct RetrySchedule: Sendable, Hashable, CustomStringConvertible {
    public var delays: [Duration]
    /// Fraction of each delay added or removed at random, so retries of many events spread out.
    public var jitter: Double

    /// About three days: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h (10 attempts).
    public static let standard = RetrySchedule(delays: [.seconds(5), .seconds(300), .seconds(1_800), .seconds(7_200),
                                                        .seconds(18_000), .seconds(36_000), .seconds(50_400), .seconds(72_000),
                                                        .seconds(86_400)])

    public init(delays: [Duration], jitter: Double = 0.1) {
        self.delays = delays
        self.jitter = jitter
    }

    /// Parses `1s,2s,4s` (units ms, s, m, h, d).
    public init?(parsing text: String, jitter: Double = 0.1) {
        var delays: [Duration] = []
        for item in text.split(separator: ",") {
            guard let delay = Duration(parsing: item.trimmingCharacters(in: .whitespaces)) else { return nil }
            delays.append(delay)
        }
        guard !delays.isEmpty else { return nil }
        self.init(delays: delays, jitter: jitter)
    }

    public var attempts: Int { delays.count + 1 }

    /// The wait after failed attempt `attempt` (1-based), or nil when it was the last.
    public func delay(after attempt: Int) -> Duration? {
        guard attempt >= 1, attempt <= delays.count else { return nil }
        let factor = 1 + Double.random(in: -jitter...jitter)
        return .milliseconds(Int64(delays[attempt - 1].seconds * 1000 * factor))
    }

    public var description: String {
        delays.map { delay in
            let seconds = delay.components.seconds
            switch seconds {
            case 0: return "\(delay.components.attoseconds / 1_000_000_000_000_000)ms"
            case let s where s % 86_400 == 0: return "\(s / 86_400)d"
            case let s where s % 3_600 == 0: return "\(s / 3_600)h"
            case let s where s % 60 == 0: return "\(s / 60)m"
            default: return "\(seconds)s"
            }
        }.joined(separator: ",")
    }
}
