import Foundation
import Payments
import Pipeline

/// A bank profile as it may be shown (`metl profiles show --json`): every setting as the
/// configuration file spells it, secrets never read out: a passphrase or password file is named,
/// a password in a URL replaced.
public struct ProfileDocument: Encodable, Sendable {
    public var name: String
    public var isDefault: Bool
    public var odfi: ODFI
    public var destinations: [String: String]
    public var inbound: String?
    public var sftp: SFTP
    public var filenames: [String: String]
    public var limits: Limits
    public var lineEnding: String
    public var timeZone: String
    public var holidays: [String]
    public var sameDayDescriptiveDate: Bool
    public var windows: [Window]
    public var merchants: [String]
    public var openpgp: Keys?
    public var approvals: Approvals

    /// Which files and payments wait for named approvers: each rule, or nil.
    public struct Approvals: Encodable, Sendable {
        public var files: ApprovalRule?, payments: ApprovalRule?
    }

    public struct ODFI: Encodable, Sendable {
        public var routing: String, immediateOrigin: String, immediateDestination: String, originName: String, destinationName: String
        enum CodingKeys: String, CodingKey {
            case routing, immediateOrigin = "immediate_origin", immediateDestination = "immediate_destination",
                 originName = "origin_name", destinationName = "destination_name"
        }
    }
    public struct SFTP: Encodable, Sendable {
        public var identityFile: String?, knownHosts: String?, identityPassphrase: String?, password: String?
        enum CodingKeys: String, CodingKey {
            case identityFile = "identity_file", knownHosts = "known_hosts", identityPassphrase = "identity_passphrase", password
        }
    }
    public struct Keys: Encodable, Sendable {
        public var encryptTo: String?, signWith: String?
        public var armor: Bool
        public var suffix: String?, inboundSigner: String?
        enum CodingKeys: String, CodingKey {
            case encryptTo = "encrypt_to", signWith = "sign_with", armor, suffix, inboundSigner = "inbound_signer"
        }
    }
    public struct Limits: Encodable, Sendable {
        public var entriesPerFile: Int, centsPerFile: Int64, filesPerDay: Int
        enum CodingKeys: String, CodingKey { case entriesPerFile = "entries_per_file", centsPerFile = "cents_per_file", filesPerDay = "files_per_day" }
    }
    public struct Window: Encodable, Sendable {
        public var name: String, runsAt: String, bankDeadline: String, sameDay: Bool, nextDay: Bool
        enum CodingKeys: String, CodingKey { case name, runsAt = "runs_at", bankDeadline = "bank_deadline", sameDay = "same_day", nextDay = "next_day" }
    }
    enum CodingKeys: String, CodingKey {
        case name, isDefault = "default", odfi, destinations, inbound, sftp, filenames, limits, lineEnding = "line_ending",
             timeZone = "time_zone", holidays, sameDayDescriptiveDate = "same_day_descriptive_date", windows, merchants, openpgp, approvals
    }

    public init(_ profile: ProfileConfiguration, defaultProfile: String) {
        func key(_ kind: OutboundFileKind) -> String { ProfileConfiguration.kindKeys.first { $0.kind == kind }?.key ?? kind.rawValue }
        name = profile.name
        isDefault = profile.name == defaultProfile
        odfi = ODFI(routing: profile.bank.odfiRouting, immediateOrigin: profile.bank.immediateOrigin,
                    immediateDestination: profile.bank.immediateDestination, originName: profile.bank.originName,
                    destinationName: profile.bank.destinationName)
        destinations = Dictionary(uniqueKeysWithValues: profile.destinations.map { (key($0.key), Self.redacted($0.value)) })
        inbound = profile.inbound.map(Self.redacted)
        sftp = SFTP(identityFile: profile.identityFile, knownHosts: profile.knownHosts,
                    identityPassphrase: profile.identityPassphraseFile.map { "redacted (from \($0))" },
                    password: profile.passwordFile.map { "redacted (from \($0))" })
        filenames = Dictionary(uniqueKeysWithValues: profile.filenames.map { (key($0.key), $0.value.template) })
        limits = Limits(entriesPerFile: profile.limits.maximumEntriesPerFile, centsPerFile: profile.limits.maximumAmountPerFile,
                        filesPerDay: profile.limits.maximumFilesPerDay)
        lineEnding = profile.lineEnding.rawValue
        timeZone = profile.schedule.timeZone.identifier
        holidays = profile.schedule.calendar.extraHolidays.map(\.description).sorted()
        sameDayDescriptiveDate = profile.schedule.sameDayDescriptiveDate
        windows = profile.schedule.windows.map {
            Window(name: $0.name, runsAt: CutoffWindow.text($0.runsAt), bankDeadline: CutoffWindow.text($0.bankDeadline),
                   sameDay: $0.sameDay, nextDay: $0.nextDay)
        }
        merchants = profile.merchants
        approvals = Approvals(files: profile.approvals.files, payments: profile.approvals.payments)
        openpgp = profile.openpgp.map {
            Keys(encryptTo: $0.encryptTo?.hex, signWith: $0.signWith?.hex, armor: $0.armored, suffix: $0.suffix,
                    inboundSigner: $0.inboundSigner?.hex)
        }
    }

    /// A URL without any password it carries.
    public static func redacted(_ url: String) -> String {
        guard var components = URLComponents(string: url), components.password != nil else { return url }
        components.password = "redacted"
        return components.string ?? url
    }
}
