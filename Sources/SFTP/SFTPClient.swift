import CLibSSH2
import Dispatch
import Foundation
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// One authenticated SFTP session.
///
/// `@unchecked Sendable` is sound here: the libssh2 handles (`socket`, `session`, `sftp`) are only read
/// or written inside blocks run on `queue`, a private serial dispatch queue, so no two threads ever
/// touch them at once, and one session is used by one operation at a time as libssh2 requires.
/// `deinit` frees them directly, which is safe because no other reference can exist by then.
public final class SFTPClient: @unchecked Sendable {
    private let queue: DispatchQueue
    private var socket: Int32
    private var session: OpaquePointer?
    private var sftp: OpaquePointer?
    private let logger: Logger
    public let configuration: SFTPConfiguration
    public let hostKey: HostKey

    /// Bytes per libssh2 write call: libssh2 pipelines large buffers into many SFTP packets.
    static let writeChunk = 1 << 20

    private init(queue: DispatchQueue, socket: Int32, session: OpaquePointer, sftp: OpaquePointer, hostKey: HostKey,
                 configuration: SFTPConfiguration, logger: Logger) {
        self.queue = queue
        self.socket = socket
        self.session = session
        self.sftp = sftp
        self.hostKey = hostKey
        self.configuration = configuration
        self.logger = logger
    }

    deinit {
        Self.free(socket: socket, session: session, sftp: sftp)
    }

    // MARK: Connecting

    /// Connects, verifies the host key against known_hosts, authenticates and opens the SFTP subsystem.
    public static func connect(_ configuration: SFTPConfiguration, logger: Logger = Logger(label: "metl.sftp")) async throws(SFTPError) -> SFTPClient {
        let queue = DispatchQueue(label: "metl.sftp.\(configuration.host):\(configuration.port)")
        return try await run(on: queue) { () throws(SFTPError) -> SFTPClient in
            let (socket, session, hostKey) = try handshake(configuration)
            do throws(SFTPError) {
                try verify(hostKey: hostKey, session: session, configuration: configuration)
                try authenticate(session: session, configuration: configuration)
                guard let sftp = libssh2_sftp_init(session) else {
                    throw SFTPError.from(session: session, sftp: nil, code: libssh2_session_last_errno(session),
                                         while: "starting the SFTP subsystem")
                }
                logger.debug("sftp connected", metadata: ["server": "\(configuration)", "host_key": "\(hostKey.fingerprint)"])
                return SFTPClient(queue: queue, socket: socket, session: session, sftp: sftp, hostKey: hostKey,
                                  configuration: configuration, logger: logger)
            } catch {
                Self.free(socket: socket, session: session, sftp: nil)
                throw error
            }
        }
    }

    /// Connects only far enough to read the server's host key, for `metl sftp trust`. Authenticates nothing.
    public static func fetchHostKey(_ configuration: SFTPConfiguration) async throws(SFTPError) -> HostKey {
        let queue = DispatchQueue(label: "metl.sftp.hostkey")
        return try await run(on: queue) { () throws(SFTPError) -> HostKey in
            let (socket, session, hostKey) = try handshake(configuration)
            Self.free(socket: socket, session: session, sftp: nil)
            return hostKey
        }
    }

    private static let libraryReady: Bool = libssh2_init(0) == 0

    private static func handshake(_ configuration: SFTPConfiguration) throws(SFTPError) -> (Int32, OpaquePointer, HostKey) {
        guard libraryReady else { throw SFTPError(.protocolError, "libssh2 could not be initialised") }
        let socket = try TCPConnection.open(host: configuration.host, port: configuration.port,
                                            timeout: configuration.connectTimeout)
        guard let session = libssh2_session_init_ex(nil, nil, nil, nil) else {
            Glibc.close(socket)
            throw SFTPError(.protocolError, "libssh2 could not allocate a session")
        }
        libssh2_session_set_blocking(session, 1)
        libssh2_session_set_timeout(session, Int(configuration.operationTimeout.milliseconds))
        let rc = libssh2_session_handshake(session, socket)
        guard rc == 0 else {
            let error = SFTPError.from(session: session, sftp: nil, code: rc, while: "SSH handshake with \(configuration)")
            free(socket: socket, session: session, sftp: nil)
            throw error
        }
        var length = 0
        var type: Int32 = 0
        guard let key = libssh2_session_hostkey(session, &length, &type), length > 0 else {
            free(socket: socket, session: session, sftp: nil)
            throw SFTPError(.protocolError, "the server sent no host key")
        }
        let blob = Data(bytes: key, count: length)
        let typeName = switch type {
        case LIBSSH2_HOSTKEY_TYPE_RSA: "ssh-rsa"
        case LIBSSH2_HOSTKEY_TYPE_DSS: "ssh-dss"
        case LIBSSH2_HOSTKEY_TYPE_ECDSA_256: "ecdsa-sha2-nistp256"
        case LIBSSH2_HOSTKEY_TYPE_ECDSA_384: "ecdsa-sha2-nistp384"
        case LIBSSH2_HOSTKEY_TYPE_ECDSA_521: "ecdsa-sha2-nistp521"
        case LIBSSH2_HOSTKEY_TYPE_ED25519: "ssh-ed25519"
        default: "unknown"
        }
        var fingerprint = "SHA256:unavailable"
        if let hash = libssh2_hostkey_hash(session, LIBSSH2_HOSTKEY_HASH_SHA256) {
            let digest = Data(bytes: hash, count: 32)
            fingerprint = "SHA256:" + digest.base64EncodedString().replacingOccurrences(of: "=", with: "")
        }
        return (socket, session, HostKey(type: typeName, base64: blob.base64EncodedString(), fingerprint: fingerprint))
    }

    /// Refuses any server whose key is not in known_hosts exactly as presented.
    private static func verify(hostKey: HostKey, session: OpaquePointer, configuration: SFTPConfiguration) throws(SFTPError) {
        guard let knownHosts = libssh2_knownhost_init(session) else {
            throw SFTPError(.knownHostsFile, "libssh2 could not allocate a known_hosts list")
        }
        defer { libssh2_knownhost_free(knownHosts) }
        if FileManager.default.fileExists(atPath: configuration.knownHostsPath) {
            let count = libssh2_knownhost_readfile(knownHosts, configuration.knownHostsPath, LIBSSH2_KNOWNHOST_FILE_OPENSSH)
            guard count >= 0 else {
                throw SFTPError(.knownHostsFile, "cannot read known_hosts file \(configuration.knownHostsPath)", libssh2Error: count)
            }
        }
        guard let blob = Data(base64Encoded: hostKey.base64) else {
            throw SFTPError(.protocolError, "the server's host key could not be decoded")
        }
        var entry: UnsafeMutablePointer<libssh2_knownhost>?
        let result = blob.withUnsafeBytes { bytes in
            libssh2_knownhost_checkp(knownHosts, configuration.host, Int32(configuration.port),
                                     bytes.baseAddress?.assumingMemoryBound(to: CChar.self), bytes.count,
                                     LIBSSH2_KNOWNHOST_TYPE_PLAIN | LIBSSH2_KNOWNHOST_KEYENC_RAW, &entry)
        }
        switch result {
        case LIBSSH2_KNOWNHOST_CHECK_MATCH:
            return
        case LIBSSH2_KNOWNHOST_CHECK_MISMATCH:
            throw SFTPError(.hostKeyChanged,
                            "the host key of \(configuration.knownHostsName) is \(hostKey.type) \(hostKey.fingerprint), "
                            + "which differs from the key in \(configuration.knownHostsPath); refusing to connect",
                            fingerprint: hostKey.fingerprint)
        case LIBSSH2_KNOWNHOST_CHECK_NOTFOUND:
            throw SFTPError(.hostKeyUnknown,
                            "the host key of \(configuration.knownHostsName) (\(hostKey.type) \(hostKey.fingerprint)) is not in "
                            + "\(configuration.knownHostsPath); verify it with the bank, then run `metl sftp trust`",
                            fingerprint: hostKey.fingerprint)
        default:
            throw SFTPError(.knownHostsFile, "the host key of \(configuration.knownHostsName) could not be checked",
                            fingerprint: hostKey.fingerprint)
        }
    }

    private static func authenticate(session: OpaquePointer, configuration: SFTPConfiguration) throws(SFTPError) {
        let user = configuration.username
        let rc: Int32
        switch configuration.authentication {
        case .privateKey(let path, let passphrase):
            // libssh2 says only that it could not use the key: a file that cannot be read is named.
            guard access(path, R_OK) == 0 else {
                throw SFTPError(.authentication, "cannot read the private key file \(path): \(String(cString: strerror(errno)))")
            }
            rc = libssh2_userauth_publickey_fromfile_ex(session, user, UInt32(user.utf8.count), nil, path, passphrase)
        case .password(let password):
            rc = libssh2_userauth_password_ex(session, user, UInt32(user.utf8.count), password,
                                              UInt32(password.utf8.count), nil)
        }
        guard rc == 0 else {
            // libssh2's own message can name the key file; it never contains the passphrase or password.
            var error = SFTPError.from(session: session, sftp: nil, code: rc, while: "authenticating as \(user)")
            if error.code == .protocolError { error.code = .authentication }
            throw error
        }
    }

    // MARK: Operations

    /// Writes `bytes` to `path` (created or truncated), in ≥ 1 MiB calls that libssh2 pipelines,
    /// handling partial writes, then asks the server to fsync (fsync@openssh.com) before closing.
    public func upload(_ bytes: [UInt8], to path: String, permissions: Int = 0o640) async throws(SFTPError) {
        try await perform("uploading \(path)") { (sftp, session) throws(SFTPError) in
            let flags = UInt(LIBSSH2_FXF_WRITE | LIBSSH2_FXF_CREAT | LIBSSH2_FXF_TRUNC)
            guard let handle = libssh2_sftp_open_ex(sftp, path, UInt32(path.utf8.count), flags, permissions, LIBSSH2_SFTP_OPENFILE) else {
                throw SFTPError.from(session: session, sftp: sftp, code: libssh2_session_last_errno(session), while: "opening \(path) for writing")
            }
            var closed = false
            defer { if !closed { libssh2_sftp_close_handle(handle) } }
            var offset = 0
            try bytes.withUnsafeBufferPointer { (buffer) throws(SFTPError) in
                while offset < buffer.count {
                    let count = min(Self.writeChunk, buffer.count - offset)
                    let written = buffer.baseAddress!.advanced(by: offset).withMemoryRebound(to: CChar.self, capacity: count) {
                        libssh2_sftp_write(handle, $0, count)
                    }
                    if written == Int(LIBSSH2_ERROR_EAGAIN) { continue }
                    guard written >= 0 else {
                        throw SFTPError.from(session: session, sftp: sftp, code: Int32(written), while: "writing \(path)")
                    }
                    offset += written
                }
            }
            // Not every server offers fsync@openssh.com; OpenSSH does. Its absence is not an error.
            _ = libssh2_sftp_fsync(handle)
            closed = true
            let rc = libssh2_sftp_close_handle(handle)
            guard rc == 0 else { throw SFTPError.from(session: session, sftp: sftp, code: rc, while: "closing \(path)") }
        }
    }

    /// The file's attributes, or nil when it does not exist. With `followingLinks: false` a symbolic
    /// link is described itself (lstat), not the file it points to.
    public func stat(_ path: String, followingLinks: Bool = true) async throws(SFTPError) -> FileAttributes? {
        try await perform("stat \(path)") { (sftp, session) throws(SFTPError) -> FileAttributes? in
            var attributes = LIBSSH2_SFTP_ATTRIBUTES()
            let rc = libssh2_sftp_stat_ex(sftp, path, UInt32(path.utf8.count), followingLinks ? LIBSSH2_SFTP_STAT : LIBSSH2_SFTP_LSTAT,
                                          &attributes)
            guard rc == 0 else {
                let error = SFTPError.from(session: session, sftp: sftp, code: rc, while: "stat \(path)")
                if error.code == .noSuchFile { return nil }
                throw error
            }
            let mode = UInt32(attributes.permissions)
            let type = mode & UInt32(LIBSSH2_SFTP_S_IFMT)
            return FileAttributes(size: Int64(attributes.filesize), permissions: mode & 0o7777,
                                  isDirectory: type == UInt32(LIBSSH2_SFTP_S_IFDIR), isRegularFile: type == UInt32(LIBSSH2_SFTP_S_IFREG),
                                  isSymbolicLink: type == UInt32(LIBSSH2_SFTP_S_IFLNK))
        }
    }

    /// Renames without overwriting: SFTP v3 (OpenSSH) refuses when `to` exists, reported as `fileExists`
    /// after a stat confirms it, so the caller can tell "already there" from other failures.
    public func renameNoClobber(_ from: String, to: String) async throws(SFTPError) {
        let result: SFTPError? = try await perform("renaming \(from)") { (sftp, session) throws(SFTPError) -> SFTPError? in
            let rc = libssh2_sftp_rename_ex(sftp, from, UInt32(from.utf8.count), to, UInt32(to.utf8.count),
                                            Int(LIBSSH2_SFTP_RENAME_ATOMIC | LIBSSH2_SFTP_RENAME_NATIVE))
            return rc == 0 ? nil : SFTPError.from(session: session, sftp: sftp, code: rc, while: "renaming \(from) to \(to)")
        }
        guard var error = result else { return }
        if error.code == .failure || error.code == .fileExists, try await stat(to) != nil {
            error.code = .fileExists
        }
        throw error
    }

    /// Names in a directory, without `.` and `..`.
    public func list(_ directory: String) async throws(SFTPError) -> [String] {
        try await perform("listing \(directory)") { (sftp, session) throws(SFTPError) -> [String] in
            guard let handle = libssh2_sftp_open_ex(sftp, directory, UInt32(directory.utf8.count), 0, 0, LIBSSH2_SFTP_OPENDIR) else {
                throw SFTPError.from(session: session, sftp: sftp, code: libssh2_session_last_errno(session), while: "opening directory \(directory)")
            }
            defer { libssh2_sftp_close_handle(handle) }
            var names: [String] = []
            var buffer = [CChar](repeating: 0, count: 4_096)
            while true {
                var attributes = LIBSSH2_SFTP_ATTRIBUTES()
                let count = libssh2_sftp_readdir_ex(handle, &buffer, buffer.count, nil, 0, &attributes)
                if count == 0 { break }
                guard count > 0 else {
                    throw SFTPError.from(session: session, sftp: sftp, code: count, while: "reading directory \(directory)")
                }
                let name = String(decoding: buffer.prefix(Int(count)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
                if name != ".", name != ".." { names.append(name) }
            }
            return names.sorted()
        }
    }

    public func download(_ path: String) async throws(SFTPError) -> [UInt8] {
        try await perform("downloading \(path)") { (sftp, session) throws(SFTPError) -> [UInt8] in
            var bytes: [UInt8] = []
            try Self.read(path, sftp: sftp, session: session) { bytes.append(contentsOf: $0) }
            return bytes
        }
    }

    /// Streams the remote file into `descriptor` (a local file open for writing), in constant memory;
    /// returns the number of bytes written.
    public func download(_ path: String, to descriptor: Int32) async throws(SFTPError) -> Int64 {
        try await perform("downloading \(path)") { (sftp, session) throws(SFTPError) -> Int64 in
            var total: Int64 = 0
            var failed = false
            try Self.read(path, sftp: sftp, session: session) { chunk in
                var offset = 0
                while !failed, offset < chunk.count {
                    let written = Glibc.write(descriptor, chunk.baseAddress! + offset, chunk.count - offset)
                    if written <= 0 { failed = true } else { offset += written }
                }
                total += Int64(offset)
            }
            guard !failed else { throw SFTPError(.localIO, "cannot write the local copy of \(path)") }
            return total
        }
    }

    /// libssh2's read loop: `chunk` sees each block as it arrives.
    private static func read(_ path: String, sftp: OpaquePointer, session: OpaquePointer,
                             chunk: (UnsafeBufferPointer<UInt8>) -> Void) throws(SFTPError) {
        guard let handle = libssh2_sftp_open_ex(sftp, path, UInt32(path.utf8.count), UInt(LIBSSH2_FXF_READ), 0, LIBSSH2_SFTP_OPENFILE) else {
            throw SFTPError.from(session: session, sftp: sftp, code: libssh2_session_last_errno(session), while: "opening \(path) for reading")
        }
        defer { libssh2_sftp_close_handle(handle) }
        var buffer = [CChar](repeating: 0, count: 1 << 18)
        while true {
            let count = libssh2_sftp_read(handle, &buffer, buffer.count)
            if count == 0 { break }
            if count == Int(LIBSSH2_ERROR_EAGAIN) { continue }
            guard count > 0 else { throw SFTPError.from(session: session, sftp: sftp, code: Int32(count), while: "reading \(path)") }
            buffer.withUnsafeBufferPointer { all in
                all.withMemoryRebound(to: UInt8.self) { chunk(UnsafeBufferPointer(rebasing: $0.prefix(count))) }
            }
        }
    }

    public func remove(_ path: String) async throws(SFTPError) {
        try await perform("removing \(path)") { (sftp, session) throws(SFTPError) in
            let rc = libssh2_sftp_unlink_ex(sftp, path, UInt32(path.utf8.count))
            guard rc == 0 else { throw SFTPError.from(session: session, sftp: sftp, code: rc, while: "removing \(path)") }
        }
    }

    public func makeDirectory(_ path: String, permissions: Int = 0o750) async throws(SFTPError) {
        try await perform("creating directory \(path)") { (sftp, session) throws(SFTPError) in
            let rc = libssh2_sftp_mkdir_ex(sftp, path, UInt32(path.utf8.count), permissions)
            guard rc == 0 else { throw SFTPError.from(session: session, sftp: sftp, code: rc, while: "creating directory \(path)") }
        }
    }

    /// Ends the session politely. Later operations fail with `closed`.
    public func close() async {
        _ = try? await Self.run(on: queue) { () throws(SFTPError) in
            Self.free(socket: self.socket, session: self.session, sftp: self.sftp)
            self.socket = -1
            self.session = nil
            self.sftp = nil
        }
    }

    // MARK: Plumbing

    private func perform<T: Sendable>(_ what: String, _ body: @escaping @Sendable (OpaquePointer, OpaquePointer) throws(SFTPError) -> T) async throws(SFTPError) -> T {
        try await Self.run(on: queue) { () throws(SFTPError) -> T in
            guard let sftp = self.sftp, let session = self.session else {
                throw SFTPError(.closed, "the connection is closed (\(what))")
            }
            return try body(sftp, session)
        }
    }

    /// Runs blocking libssh2 work on `queue` and resumes the caller when it is done.
    private static func run<T: Sendable>(on queue: DispatchQueue, _ body: @escaping @Sendable () throws(SFTPError) -> T) async throws(SFTPError) -> T {
        let result: Result<T, SFTPError> = await withCheckedContinuation { continuation in
            queue.async {
                do throws(SFTPError) {
                    continuation.resume(returning: .success(try body()))
                } catch {
                    continuation.resume(returning: .failure(error))
                }
            }
        }
        return try result.get()
    }

    private static func free(socket: Int32, session: OpaquePointer?, sftp: OpaquePointer?) {
        if let sftp { libssh2_sftp_shutdown(sftp) }
        if let session {
            libssh2_session_disconnect_ex(session, SSH_DISCONNECT_BY_APPLICATION, "metl closing", "")
            libssh2_session_free(session)
        }
        if socket >= 0 { Glibc.close(socket) }
    }
}

extension Duration {
    var milliseconds: Int64 { components.seconds * 1_000 + components.attoseconds / 1_000_000_000_000_000 }
}
