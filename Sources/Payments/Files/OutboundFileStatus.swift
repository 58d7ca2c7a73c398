import Foundation

/// Where an outbound file is in its life. A file is rendered once; its bytes never change after.
public enum OutboundFileStatus: String, Sendable, Hashable, Codable, CaseIterable {
    /// Rendered, archived and bound like a `rendered` file, and held until enough approvers approve
    /// its exact bytes; then `rendered`. Never uploaded in this status.
    case awaitingApproval = "awaiting_approval"
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
    /// An approver rejected it; never sent, its items released as for `cancelled`.
    case rejected
    /// Its approval window closed before enough approvers approved; never sent, its items released
    /// for the next window's file, which asks again.
    case expired

    /// Statuses the cutoff finishes before taking new work.
    public static let unfinished: [OutboundFileStatus] = [.rendered, .uploading]

    /// Never sent and never will be: the bank does not have it.
    public var isStopped: Bool { [.cancelled, .rejected, .expired].contains(self) }
}
