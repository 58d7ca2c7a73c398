import Logging
import Pipeline

/// `metl ingest`'s flags (nil: not given), each with its `METL_*` variable.
public struct IngestFlags: Sendable {
    public var from: String?
    public var archiveDir: String?
    public var identityFile: String?
    public var knownHosts: String?
    public var maxFileBytes: Int64?
    public var requireSigner: String?
    public var gnupg = GnuPGHomeFlags()

    public init(from: String? = nil, archiveDir: String? = nil, identityFile: String? = nil, knownHosts: String? = nil,
                maxFileBytes: Int64? = nil, requireSigner: String? = nil, gnupg: GnuPGHomeFlags = .init()) {
        self.from = from
        self.archiveDir = archiveDir
        self.identityFile = identityFile
        self.knownHosts = knownHosts
        self.maxFileBytes = maxFileBytes
        self.requireSigner = requireSigner
        self.gnupg = gnupg
    }
}

/// What an ingest reads with: the archive, the size limit, how OpenPGP files are opened, and where
/// the bank's files are picked up when no file is named.
public struct IngestConfiguration: Sendable {
    /// One place the bank's files are taken from, with its login and the signer its files need.
    public struct Source: Sendable {
        public var location: String
        public var login: DestinationURL.SFTPSettings
        public var opening: OpenPGPOpening?
    }

    public var archive: Archive
    public var maximumFileBytes: Int64
    /// For files named on the command line or by the flag's location.
    public var opening: OpenPGPOpening?
    private let flags: IngestFlags
    private let settings: Settings
    private let layers: Layers
    private let logger: Logger

    public init(_ flags: IngestFlags, settings: Settings, layers: Layers, logger: Logger) throws {
        var problems = ProblemList()
        archive = Archive(root: problems.collect { try settings.archiveDirectory(flags.archiveDir, layers: layers) } ?? "")
        maximumFileBytes = (problems.collect { try layers.positive(flags.maxFileBytes, "METL_INBOUND_MAX_BYTES", "--max-file-bytes") } ?? nil)
            ?? IngestJob.defaultMaximumFileBytes
        try problems.check()
        opening = try settings.opening(requireSigner: flags.requireSigner, home: flags.gnupg, profile: nil, layers: layers, logger: logger)
        (self.flags, self.settings, self.layers, self.logger) = (flags, settings, layers, logger)
    }

    /// Where to pick the bank's files up: the flag's location (else `METL_INBOUND`); else, when no
    /// file is named, each bank profile's inbound, with the profile's own login (its secret files
    /// read now) and the bank's signing key.
    public func sources(filesNamed: Bool) throws -> [Source] {
        if let location = layers.value(flags.from, "METL_INBOUND") {
            return [Source(location: location, login: layers.sftpLogin(identityFile: flags.identityFile, knownHosts: flags.knownHosts),
                           opening: opening)]
        }
        guard !filesNamed else { return [] }
        return try settings.profiles.compactMap { profile in
            guard let inbound = profile.inbound else { return nil }
            return Source(location: inbound, login: try profile.sftpSettings(),
                          opening: try settings.opening(requireSigner: flags.requireSigner, home: flags.gnupg, profile: profile.openpgp,
                                                        layers: layers, logger: logger))
        }
    }
}
