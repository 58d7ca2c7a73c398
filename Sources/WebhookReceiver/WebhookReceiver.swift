import Foundation

/// Everything a merchant's endpoint does with a delivery, in order: verify (or discard), dedupe by
/// event id, ignore versions older than one already applied, and when a version was skipped (an
/// earlier event is still on its way or was missed) fetch the authoritative status and apply that.
public struct WebhookReceiver: Sendable {
    public enum Decision: Sendable, Hashable {
        /// Not from metl, tampered or too old: answer 400 and do nothing.
        case discarded(VerificationError)
        /// Seen before: answer 2xx and do nothing.
        case duplicate(eventID: String)
        /// Its subject is already at this version or later: answer 2xx and do nothing.
        case stale(ReceivedEvent)
        /// Apply this state. `reconciled` when it came from the status endpoint rather than the event.
        case apply(Snapshot, event: ReceivedEvent, reconciled: Bool)
    }

    public let verifier: WebhookVerifier
    public let store: any ReceiverStore
    public let status: StatusClient?

    public init(verifier: WebhookVerifier, store: any ReceiverStore, status: StatusClient? = nil) {
        self.verifier = verifier
        self.store = store
        self.status = status
    }

    public func receive(headers: [String: String], body: Data, now: Date = Date()) async throws -> Decision {
        let event: ReceivedEvent
        do {
            event = try verifier.verify(headers: headers, body: body, now: now)
        } catch {
            return .discarded(error)
        }
        switch try await store.record(eventID: event.id, subjectID: event.data.id, version: event.data.version) {
        case .duplicate:
            return .duplicate(eventID: event.id)
        case .stale:
            return .stale(event)
        case .accepted(let previous):
            // A gap means an earlier change has not arrived (yet): the event alone is not the whole story.
            if let previous, event.data.version > previous + 1, let status {
                let current = try await status.current(of: event)
                try await store.advance(subjectID: current.id, to: current.version)
                return .apply(current, event: event, reconciled: true)
            }
            return .apply(event.data, event: event, reconciled: false)
        }
    }
}
