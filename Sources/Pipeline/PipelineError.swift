/// Why a pipeline job (the cutoff, a retry, ingest) stopped. Each code maps to one documented exit status.
public struct PipelineError: Error, Sendable, Hashable, CustomStringConvertible {
    public struct Code: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// Another cutoff holds the lock.
        public static let lockHeld = Code(rawValue: "lock_held")
        /// The window was spent; everything done so far is recorded and the next run resumes it.
        public static let windowMissed = Code(rawValue: "window_missed")
        /// A setting is missing or wrong (including an untrusted or changed host key, bad credentials).
        public static let configuration = Code(rawValue: "configuration")
        /// A server the job needs (the bank's SFTP server) could not be reached: down, refusing, no route.
        public static let unreachable = Code(rawValue: "unreachable")
        /// 36 files already went out for this origin, destination and day.
        public static let fileIDModifiersExhausted = Code(rawValue: "file_id_modifiers_exhausted")
        /// The file's status does not allow the operation (retrying a file already at the bank).
        public static let invalidStatus = Code(rawValue: "invalid_status")
        /// No file has that id.
        public static let notFound = Code(rawValue: "not_found")
        /// A rendered file failed strict validation; it was not recorded or uploaded.
        public static let invalidFile = Code(rawValue: "invalid_file")
        /// Storage or another part failed unexpectedly.
        public static let `internal` = Code(rawValue: "internal")
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }
}
