import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A directory on this machine, for `make demo` and for trying metl without a bank. Same protocol
/// as SFTP: write + fsync a `.part`, then link it to the final name (which fails if the name exists)
/// and remove the `.part`, then fsync the directory.
public struct LocalDirectoryDestination: Destination, DestinationSession {
    public let directory: String

    public init(directory: String) {
        self.directory = directory
    }

    public var description: String { "file://\(directory)" }

    public func connect(deadline: ContinuousClock.Instant) async throws(DestinationError) -> any DestinationSession {
        var isDirectory: ObjCBool = false
        if !FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) {
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            } catch {
                throw DestinationError(.permanent, "cannot create directory \(directory)")
            }
        } else if !isDirectory.boolValue {
            throw DestinationError(.permanent, "\(directory) is not a directory")
        }
        return self
    }

    public func path(of name: String) -> String { directory + "/" + name }

    public func size(of name: String) async throws(DestinationError) -> Int64? {
        var info = stat()
        guard lstat(path(of: name), &info) == 0 else {
            if errno == ENOENT { return nil }
            throw Self.error("stat \(name)")
        }
        return Int64(info.st_size)
    }

    public func write(_ bytes: [UInt8], to name: String) async throws(DestinationError) {
        let descriptor = open(path(of: name), O_WRONLY | O_CREAT | O_TRUNC, 0o640)
        guard descriptor >= 0 else { throw Self.error("open \(name)") }
        defer { Glibc.close(descriptor) }
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress! + offset, bytes.count - offset) }
            if written < 0 {
                if errno == EINTR { continue }
                throw Self.error("write \(name)")
            }
            offset += written
        }
        guard fsync(descriptor) == 0 else { throw Self.error("fsync \(name)") }
    }

    public func renameNoClobber(_ from: String, to: String) async throws(DestinationError) {
        guard link(path(of: from), path(of: to)) == 0 else {
            if errno == EEXIST { throw DestinationError(.exists, "\(to) already exists") }
            throw Self.error("link \(from) to \(to)")
        }
        unlink(path(of: from))
        let descriptor = open(directory, O_RDONLY)
        if descriptor >= 0 {
            fsync(descriptor)
            Glibc.close(descriptor)
        }
    }

    public func read(_ name: String) async throws(DestinationError) -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path(of: name)) else { throw Self.error("read \(name)") }
        return [UInt8](data)
    }

    public func remove(_ name: String) async throws(DestinationError) {
        guard unlink(path(of: name)) == 0 || errno == ENOENT else { throw Self.error("remove \(name)") }
    }

    public func close() async {}

    private static func error(_ what: String) -> DestinationError {
        let code = errno
        let kind: DestinationError.Kind = [ENOSPC, EIO, EAGAIN, EINTR].contains(code) ? .transient : .permanent
        return DestinationError(kind, "\(what): \(String(cString: strerror(code)))")
    }
}
