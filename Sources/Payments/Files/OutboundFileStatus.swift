import Foundation

/// Where an outbound file is in its life. A file is rendered once; its bytes never change after.
public enum OutboundFileStatus: String, Sendable, Hashable, Codable, CaseIterable {
    /// Recorded, archived and bound to its payments; not yet sent.
    case rendered
    /// An upload attempt started; the remote side may hold a `.part` or even the final file.
    case uploading
    /// The bank has the exact bytes under the final name; its payments are P_SUBMITTED_TO_CORE.
    case uploaded
    /// Stopped for an operator (for example `remote_conflict`); retry or cancel.
    case failed
    /// Cancelled before upload; its payments went back to unbound P_VALIDATED.
    case cancelled

    /// Statuses the cutoff finishes before taking new work.
    public static let unfinished: [OutboundFileStatus] = [.rendered, .uploading]
}
