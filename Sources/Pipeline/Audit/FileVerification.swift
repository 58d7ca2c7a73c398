import Foundation
import Payments

/// What `FileVerifier` found for one outbound file: whether the archive still holds the bytes the
/// ledger's SHA-256 names (and, for a sealed file, the plaintext the ledger names), and whether
/// the copy at the bank is the same bytes, where the destination can read it back.
public struct FileVerification: Sendable, Hashable {
    public enum Outcome: Sendable, Hashable {
        case matches
        /// Other bytes than the ledger names: the reason says what differs.
        case differs(String)
        /// Not there to compare: an archive file gone, or a remote copy the bank has collected.
        case absent(String)
        /// Not compared, and why (no destination read back, the server could not be reached).
        case notChecked(String)

        /// A finding an auditor must act on: bytes that differ, or an archived copy that is gone.
        public var isFinding: Bool {
            switch self {
            case .matches, .notChecked: false
            case .differs, .absent: true
            }
        }
    }

    public var file: OutboundFile
    public var archive: Outcome
    /// Sealed files only: the plaintext kept beside the sealed bytes sent.
    public var plaintext: Outcome?
    public var remote: Outcome

    /// The archive and plaintext are the ledger's bytes, and the bank's copy, where read, is too.
    /// A remote copy the bank collected is not a finding; a differing one is.
    public var isIntact: Bool {
        guard !archive.isFinding, plaintext?.isFinding != true else { return false }
        if case .differs = remote { return false }
        return true
    }
}
