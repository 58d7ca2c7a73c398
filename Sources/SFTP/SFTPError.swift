import CLibSSH2

/// What went wrong talking to an SFTP server. `code` is stable; `libssh2Error` and `sftpStatus` carry
/// the C library's numbers (like GRDB's `ResultCode`). Messages never contain passwords or key material.
public struct SFTPError: Error, Sendable, Hashable, CustomStringConvertible {
    public struct Code: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The TCP connection could not be made (refused, unreachable, name not resolved).
        public static let connect = Code(rawValue: "connect")
        public static let timeout = Code(rawValue: "timeout")
        /// The server's host key is not in known_hosts: the operator must trust it explicitly.
        public static let hostKeyUnknown = Code(rawValue: "host_key_unknown")
        /// The server's host key differs from the one in known_hosts: possible interception.
        public static let hostKeyChanged = Code(rawValue: "host_key_changed")
        public static let knownHostsFile = Code(rawValue: "known_hosts_file")
        public static let authentication = Code(rawValue: "authentication")
        public static let connectionLost = Code(rawValue: "connection_lost")
        public static let noSuchFile = Code(rawValue: "no_such_file")
        public static let permissionDenied = Code(rawValue: "permission_denied")
        /// The target exists (a no-clobber rename or mkdir).
        public static let fileExists = Code(rawValue: "file_exists")
        /// The server answered SSH_FX_FAILURE (OpenSSH's answer to a rename onto an existing file).
        public static let failure = Code(rawValue: "failure")
        public static let protocolError = Code(rawValue: "protocol")
        public static let closed = Code(rawValue: "closed")
        /// Writing the local copy of a download failed (disk full, descriptor closed).
        public static let localIO = Code(rawValue: "local_io")
    }

    public var code: Code
    public var message: String
    public var libssh2Error: Int32?
    public var sftpStatus: UInt?
    /// The server's SHA-256 host key fingerprint, for host key errors.
    public var fingerprint: String?

    public init(_ code: Code, _ message: String, libssh2Error: Int32? = nil, sftpStatus: UInt? = nil, fingerprint: String? = nil) {
        self.code = code
        self.message = message
        self.libssh2Error = libssh2Error
        self.sftpStatus = sftpStatus
        self.fingerprint = fingerprint
    }

    /// Worth retrying on a new connection: the network or the server hiccupped.
    public var isTransient: Bool {
        [.connect, .timeout, .connectionLost, .closed].contains(code)
    }

    public var description: String {
        var text = "\(code): \(message)"
        if let libssh2Error { text += " (libssh2 \(libssh2Error))" }
        if let sftpStatus { text += " (SFTP status \(sftpStatus))" }
        return text
    }

    /// Maps a libssh2 session error, reading the SFTP status when the error is an SFTP one.
    static func from(session: OpaquePointer?, sftp: OpaquePointer?, code: Int32, while what: String) -> SFTPError {
        var message = what
        if let session {
            var pointer: UnsafeMutablePointer<CChar>?
            var length: Int32 = 0
            libssh2_session_last_error(session, &pointer, &length, 0)
            if let pointer, length > 0 { message += ": " + String(cString: pointer) }
        }
        if code == LIBSSH2_ERROR_SFTP_PROTOCOL, let sftp {
            let status = UInt(libssh2_sftp_last_error(sftp))
            let mapped: Code = switch status {
            case UInt(LIBSSH2_FX_NO_SUCH_FILE), UInt(LIBSSH2_FX_NO_SUCH_PATH): .noSuchFile
            case UInt(LIBSSH2_FX_PERMISSION_DENIED), UInt(LIBSSH2_FX_WRITE_PROTECT): .permissionDenied
            case UInt(LIBSSH2_FX_FILE_ALREADY_EXISTS): .fileExists
            case UInt(LIBSSH2_FX_NO_CONNECTION), UInt(LIBSSH2_FX_CONNECTION_LOST): .connectionLost
            case UInt(LIBSSH2_FX_FAILURE): .failure
            default: .protocolError
            }
            return SFTPError(mapped, message, libssh2Error: code, sftpStatus: status)
        }
        let mapped: Code = switch code {
        case LIBSSH2_ERROR_TIMEOUT: .timeout
        case LIBSSH2_ERROR_SOCKET_SEND, LIBSSH2_ERROR_SOCKET_RECV, LIBSSH2_ERROR_SOCKET_DISCONNECT,
             LIBSSH2_ERROR_SOCKET_NONE, LIBSSH2_ERROR_BANNER_RECV, LIBSSH2_ERROR_CHANNEL_CLOSED,
             LIBSSH2_ERROR_CHANNEL_EOF_SENT: .connectionLost
        case LIBSSH2_ERROR_AUTHENTICATION_FAILED, LIBSSH2_ERROR_PUBLICKEY_UNVERIFIED, LIBSSH2_ERROR_FILE,
             LIBSSH2_ERROR_PUBLICKEY_UNRECOGNIZED, LIBSSH2_ERROR_METHOD_NOT_SUPPORTED: .authentication
        default: .protocolError
        }
        return SFTPError(mapped, message, libssh2Error: code)
    }
}
