import Foundation
import Logging
import SFTP
#if canImport(Glibc)
import Glibc
#endif

/// Where the bank's files wait: a local directory, a directory on the bank's SFTP server, or files
/// named on the command line. Only regular files are read: a symbolic link (which could point at a
/// private file), a FIFO, a device or a socket is refused with the reason, read never and left where it is.
public protocol InboundSource: Sendable, CustomStringConvertible {
    /// The names waiting, in the order to ingest them.
    func names() async throws(DestinationError) -> [String]
    /// A descriptor open for reading on the named regular file (the caller closes it), or `refused`
    /// naming what the entry is instead. A remote file is first copied into `scratch`'s temporary
    /// directory, in constant memory.
    func open(_ name: String, scratch: Archive) async throws(DestinationError) -> Int32
    /// Moves a recorded file aside so it is not offered again; never deletes it.
    func archive(_ name: String) async throws(DestinationError)
    func close() async
}

public enum InboundSources {
    /// `file:///dir` or `sftp://user@host:port/dir` (same SFTP settings as the cutoff).
    public static func open(_ text: String, sftp settings: DestinationURL.SFTPSettings, logger: Logger) async throws(PipelineError) -> any InboundSource {
        if !text.contains("://") { return LocalInbound(directory: text) }
        let destination = try DestinationURL.parse(text, sftp: settings, logger: logger)
        if let local = destination as? LocalDirectoryDestination { return LocalInbound(directory: local.directory) }
        guard let remote = destination as? SFTPDestination else { throw PipelineError(.configuration, "unsupported inbound source \(text)") }
        do {
            let client = try await SFTPClient.connect(remote.configuration, logger: logger)
            return SFTPInbound(client: client, directory: remote.directory)
        } catch let error as SFTPError where error.isTransient {
            throw PipelineError(.unreachable, "cannot reach \(remote): \(error)")
        } catch {
            throw PipelineError(.configuration, "cannot open \(remote): \(error)")
        }
    }

    /// Opens a local path for reading only if it is a regular file. `O_NOFOLLOW` refuses a symbolic
    /// link and `O_NONBLOCK` keeps a FIFO from blocking the open; the type is checked on the open
    /// descriptor, so the file cannot be swapped between the check and the read.
    static func openRegularFile(_ path: String) throws(DestinationError) -> Int32 {
        let descriptor = Glibc.open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else {
            if errno == ELOOP { throw DestinationError(.refused, "is a symbolic link; only regular files are read") }
            throw DestinationError(.permanent, "cannot open \(path): \(String(cString: strerror(errno)))")
        }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            Glibc.close(descriptor)
            throw DestinationError(.permanent, "cannot read \(path)")
        }
        let type: mode_t = fileType(status)
        guard type != mode_t(S_IFREG) else { return descriptor }
        Glibc.close(descriptor)
        let what: String
        switch type {
        case mode_t(S_IFIFO): what = "a FIFO"
        case mode_t(S_IFCHR), mode_t(S_IFBLK): what = "a device"
        case mode_t(S_IFSOCK): what = "a socket"
        case mode_t(S_IFDIR): what = "a directory"
        default: what = "not a regular file"
        }
        throw DestinationError(.refused, "is \(what); only regular files are read")
    }

    static func fileType(_ status: stat) -> mode_t {
        status.st_mode & mode_t(S_IFMT)
    }
}

struct LocalInbound: InboundSource {
    let directory: String
    var description: String { directory }

    func names() async throws(DestinationError) -> [String] {
        do {
            return try FileManager.default.contentsOfDirectory(atPath: directory).filter { (name: String) -> Bool in
                if name.hasPrefix(".") || name.hasSuffix(".part") { return false }
                // lstat: a link to a directory is listed, so that it is refused by name rather than skipped.
                var status = stat()
                guard lstat(directory + "/" + name, &status) == 0 else { return false }
                return InboundSources.fileType(status) != mode_t(S_IFDIR)
            }.sorted()
        } catch {
            throw DestinationError(.permanent, "cannot list \(directory)")
        }
    }

    func open(_ name: String, scratch: Archive) async throws(DestinationError) -> Int32 {
        try InboundSources.openRegularFile(directory + "/" + name)
    }

    func archive(_ name: String) async throws(DestinationError) {
        let target = directory + "/archive"
        do {
            try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
            var destination = target + "/" + name
            if FileManager.default.fileExists(atPath: destination) { destination += ".\(Int(Date().timeIntervalSince1970))" }
            try FileManager.default.moveItem(atPath: directory + "/" + name, toPath: destination)
        } catch {
            throw DestinationError(.permanent, "cannot move \(name) into \(target)")
        }
    }

    func close() async {}
}

/// Files named on the command line: read where they are, never moved.
public struct LocalFiles: InboundSource {
    let paths: [String]
    public var description: String { "command line" }

    public init(paths: [String]) {
        self.paths = paths
    }

    public func names() async throws(DestinationError) -> [String] { paths }

    public func open(_ name: String, scratch: Archive) async throws(DestinationError) -> Int32 {
        try InboundSources.openRegularFile(name)
    }

    public func archive(_ name: String) async throws(DestinationError) {}
    public func close() async {}
}

struct SFTPInbound: InboundSource {
    let client: SFTPClient
    let directory: String
    var description: String { "\(client.configuration)\(directory)" }

    func names() async throws(DestinationError) -> [String] {
        do {
            var files: [String] = []
            for name in try await client.list(directory) where !name.hasPrefix(".") && !name.hasSuffix(".part") {
                if try await client.stat(directory + "/" + name, followingLinks: false)?.isDirectory == false { files.append(name) }
            }
            return files
        } catch {
            throw SFTPDestination.map(error)
        }
    }

    func open(_ name: String, scratch: Archive) async throws(DestinationError) -> Int32 {
        let path = directory + "/" + name
        do {
            guard let attributes = try await client.stat(path, followingLinks: false) else {
                throw DestinationError(.permanent, "\(path) is gone")
            }
            guard attributes.isRegularFile else {
                throw DestinationError(.refused, attributes.isSymbolicLink ? "is a symbolic link; only regular files are read"
                                                                           : "is not a regular file; only regular files are read")
            }
            // The copy is unlinked at once: it lives as long as the descriptor, and a crash leaves nothing.
            let local = try scratch.scratchFile()
            defer { unlink(local.path) }
            do {
                _ = try await client.download(path, to: local.descriptor)
            } catch {
                Glibc.close(local.descriptor)
                throw error
            }
            guard lseek(local.descriptor, 0, SEEK_SET) == 0 else {
                Glibc.close(local.descriptor)
                throw DestinationError(.permanent, "cannot read the local copy of \(path)")
            }
            return local.descriptor
        } catch let error as DestinationError {
            throw error
        } catch let error as SFTPError {
            throw SFTPDestination.map(error)
        } catch {
            throw DestinationError(.permanent, "cannot copy \(path): \(error)")
        }
    }

    func archive(_ name: String) async throws(DestinationError) {
        do {
            if try await client.stat(directory + "/archive") == nil { try await client.makeDirectory(directory + "/archive") }
            try await client.renameNoClobber(directory + "/" + name, to: directory + "/archive/" + name)
        } catch {
            throw SFTPDestination.map(error)
        }
    }

    func close() async { await client.close() }
}
