import BankFiles
import Foundation

/// One file the bank sent, as the inbound ledger keeps it.
public struct InboundFile: Sendable, Hashable, Identifiable {
    /// What every inbound id starts with, before `_`: `inb_…`.
    public static let idPrefix = "inb"

    public enum Status: String, Sendable, Hashable, Codable, CaseIterable {
        /// Applied: every one of its effects.
        case processed
        /// Being applied, a chunk of payments per transaction; `appliedEvents` says how far. A run that
        /// died leaves it so, and ingesting the same bytes again resumes it there.
        case applying
        /// The same bytes were received before; nothing was applied again.
        case duplicate
        /// Not applied; `reason` says why. An operator looks at it.
        case quarantined
        /// Quarantined, then closed by an operator (`dismissal` says who, when and why): nothing is
        /// left to do with it, and `reconcile` no longer reports it.
        case dismissed
    }

    /// Why a quarantined file was closed without being applied.
    public struct Dismissal: Sendable, Hashable {
        /// Who closed it: the operator's name.
        public var person: String
        public var reason: String
        /// The file whose processing replaced this one, when the bank sent a corrected file.
        public var supersededBy: String?
        public var at: Date

        public init(person: String, reason: String, supersededBy: String?, at: Date) {
            self.person = person
            self.reason = reason
            self.supersededBy = supersededBy
            self.at = at
        }
    }

    /// An OpenPGP file the bank sent, decrypted (and its signature checked) before it was read:
    /// `sha256` and `size` are the bytes received, kept at `sealedArchivePath`; `archivePath` is the
    /// plaintext the processor read.
    public struct Opening: Sendable, Hashable {
        public var sealedArchivePath: String
        public var plaintextSHA256: String
        /// The key that signed it: full fingerprint; nil for a file that was not signed.
        public var signer: String?

        public init(sealedArchivePath: String, plaintextSHA256: String, signer: String?) {
            self.sealedArchivePath = sealedArchivePath
            self.plaintextSHA256 = plaintextSHA256
            self.signer = signer
        }
    }

    public var id: String
    /// Of the bytes received.
    public var sha256: String
    public var kind: InboundKind
    /// Where it came from: a path or a remote location.
    public var source: String
    public var name: String
    public var size: Int64
    public var status: Status
    public var reason: String?
    /// Payment state changes and notes applied.
    public var applied: Int
    /// How many of the file's events are applied: where an interrupted application resumes.
    public var appliedEvents: Int
    public var archivePath: String
    public var opening: Opening?
    public var receivedAt: Date
    /// What an operator should know about a file that was applied: the format's warnings (a
    /// nonconforming but unambiguous file), events left out, and who retried it.
    public var notes: [String]
    public var dismissal: Dismissal?

    public init(id: String, sha256: String, kind: InboundKind, source: String, name: String, size: Int64, status: Status,
                reason: String? = nil, applied: Int = 0, appliedEvents: Int = 0, archivePath: String, opening: Opening? = nil,
                receivedAt: Date, notes: [String] = [], dismissal: Dismissal? = nil) {
        self.id = id
        self.sha256 = sha256
        self.kind = kind
        self.source = source
        self.name = name
        self.size = size
        self.status = status
        self.reason = reason
        self.applied = applied
        self.appliedEvents = appliedEvents
        self.archivePath = archivePath
        self.opening = opening
        self.receivedAt = receivedAt
        self.notes = notes
        self.dismissal = dismissal
    }

    /// The notes as the ledger keeps them: a JSON array of strings.
    public var notesText: String? {
        guard !notes.isEmpty, let data = try? JSONEncoder().encode(notes) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    public static func notes(from text: String?) -> [String] {
        guard let text else { return [] }
        return (try? JSONDecoder().decode([String].self, from: Data(text.utf8))) ?? [text]
    }
}
