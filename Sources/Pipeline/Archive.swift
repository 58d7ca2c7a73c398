import Foundation
import Payments
#if canImport(Glibc)
import Glibc
#endif

/// The immutable archive of every file metl produced: content-addressed by SHA-256, written durably
/// (temp file, fsync, rename, fsync directory) and made read-only, so auditors read exactly what was sent.
public struct Archive: Sendable {
    public let root: String

    public init(root: String) {
        self.root = root
    }

    public static func sha256(_ bytes: [UInt8]) -> String { SHA256Digest.hex(bytes) }

    /// Stores `bytes` and returns their path. Storing the same bytes again is a no-op.
    public func store(_ bytes: [UInt8], kind: String, extension fileExtension: String) throws(CutoffError) -> String {
        let hash = Self.sha256(bytes)
        let directory = "\(root)/\(kind)/\(hash.prefix(2))"
        let path = "\(directory)/\(hash).\(fileExtension)"
        if let existing = FileManager.default.contents(atPath: path), Self.sha256([UInt8](existing)) == hash { return path }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw CutoffError(.internal, "cannot create archive directory \(directory)")
        }
        let temporary = path + ".tmp-\(getpid())"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard descriptor >= 0 else { throw CutoffError(.internal, "cannot write to the archive at \(directory)") }
        let written = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, bytes.count) }
        let synced = fsync(descriptor) == 0
        Glibc.close(descriptor)
        guard written == bytes.count, synced, chmod(temporary, 0o444) == 0, rename(temporary, path) == 0 else {
            unlink(temporary)
            throw CutoffError(.internal, "cannot write \(path) to the archive")
        }
        let directoryDescriptor = open(directory, O_RDONLY)
        if directoryDescriptor >= 0 {
            fsync(directoryDescriptor)
            Glibc.close(directoryDescriptor)
        }
        return path
    }

    public func read(_ path: String) throws(CutoffError) -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CutoffError(.internal, "archived file \(path) is missing")
        }
        return [UInt8](data)
    }
}
