/// The receiver kit for merchants: verify metl's webhook signatures, drop duplicates, ignore stale
/// versions, and when unsure ask the status endpoint of the payment, check or exception, the
/// authoritative status.
import Foundation
import WebhookSignature

/// Why a delivery was discarded. Events without a valid signature must be discarded unread.
public struct VerificationError: Error, Sendable, Hashable, CustomStringConvertible {
    public struct Code: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        public static let missingHeader = Code(rawValue: "missing_header")
        public static let invalidTimestamp = Code(rawValue: "invalid_timestamp")
        /// Older than the tolerance: possibly a replayed capture.
        public static let staleTimestamp = Code(rawValue: "stale_timestamp")
        public static let futureTimestamp = Code(rawValue: "future_timestamp")
        /// No signature matches any configured secret (tampered body, wrong secret).
        public static let invalidSignature = Code(rawValue: "invalid_signature")
        /// The body is signed but is not a metl event.
        public static let malformedEvent = Code(rawValue: "malformed_event")
    }

    public var code: Code
    public var message: String
    public var description: String { "\(code): \(message)" }
}

/// Checks the Standard Webhooks headers of a delivery against one or more secrets (several during a
/// rotation) and a timestamp tolerance.
public struct WebhookVerifier: Sendable {
    public var secrets: [String]
    public var tolerance: TimeInterval

    public init(secrets: [String], tolerance: TimeInterval = 300) {
        self.secrets = secrets
        self.tolerance = tolerance
    }

    /// Verifies and decodes a delivery. `headers` names are matched case-insensitively.
    public func verify(headers: [String: String], body: Data, now: Date = Date()) throws(VerificationError) -> ReceivedEvent {
        var lowered: [String: String] = [:]
        for (name, value) in headers { lowered[name.lowercased()] = value }
        guard let id = lowered["webhook-id"], let timestampText = lowered["webhook-timestamp"],
              let signature = lowered["webhook-signature"] else {
            throw VerificationError(code: .missingHeader, message: "webhook-id, webhook-timestamp and webhook-signature are required")
        }
        guard let timestamp = Int(timestampText) else {
            throw VerificationError(code: .invalidTimestamp, message: "webhook-timestamp is not Unix seconds")
        }
        let age = now.timeIntervalSince1970 - Double(timestamp)
        if age > tolerance { throw VerificationError(code: .staleTimestamp, message: "signed \(Int(age)) s ago") }
        if age < -tolerance { throw VerificationError(code: .futureTimestamp, message: "signed \(Int(-age)) s in the future") }
        guard secrets.contains(where: { StandardWebhooks.isValid(header: signature, id: id, timestamp: timestamp, body: body, secret: $0) }) else {
            throw VerificationError(code: .invalidSignature, message: "no signature matches a configured secret")
        }
        do {
            let event = try JSONDecoder().decode(ReceivedEvent.self, from: body)
            guard event.id == id else {
                throw VerificationError(code: .malformedEvent, message: "the body's id is not the webhook-id")
            }
            return event
        } catch let error as VerificationError {
            throw error
        } catch {
            throw VerificationError(code: .malformedEvent, message: "the body is not a metl event")
        }
    }
}
