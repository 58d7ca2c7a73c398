import Foundation
import Payments
#if canImport(Glibc)
import Glibc
#endif

/// The immutable archive of every file metl produced or received: content-addressed by SHA-256,
/// written durably (temp file, fsync, rename, fsync directory) and made read-only, so auditors read
/// exactly what was sent. Files are 0400 and directories 0700, whatever the umask: they hold full
/// account numbers, so only the service user reads them (auditors through metl, or as it). Temporary files live in `tmp/` and carry the writer's pid, so a job can
/// remove what a killed one left behind.
public struct Archive: Sendable {
    public let root: String

    public init(root: String) {
        self.root = root
    }

    static let fileMode: mode_t = 0o400
    static let directoryMode: mode_t = 0o700
    var temporaryDirectory: String { "\(root)/tmp" }

    public static func sha256(_ bytes: [UInt8]) -> String { SHA256Digest.hex(bytes) }

    /// Stores `bytes` and returns their path. Storing the same bytes again is a no-op.
    public func store(_ bytes: [UInt8], kind: String, extension fileExtension: String) throws(PipelineError) -> String {
        // A writer that is not committed removes its temporary file when it goes away.
        let writer = try begin()
        try writer.append(bytes)
        return try writer.commit(kind: kind, extension: fileExtension).path
    }

    /// A file written in pieces (a download, a copy of an inbound file), hashed as it is written.
    public func begin() throws(PipelineError) -> Writer {
        let (path, descriptor) = try scratchFile()
        return Writer(archive: self, temporaryPath: path, descriptor: descriptor)
    }

    /// A temporary file for reading and writing (a download's local copy), removed like any other
    /// temporary file if its job dies.
    func scratchFile() throws(PipelineError) -> (path: String, descriptor: Int32) {
        try makeDirectory(temporaryDirectory)
        let path = "\(temporaryDirectory)/\(UUID().uuidString).tmp-\(getpid())"
        let descriptor = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw PipelineError(.internal, "cannot create a temporary file in \(temporaryDirectory)") }
        return (path, descriptor)
    }

    /// One archive file being written. Not shared between tasks: one job writes it from start to end.
    public final class Writer {
        let archive: Archive
        let temporaryPath: String
        private var descriptor: Int32
        private var hasher = SHA256Digest.Stream()
        public private(set) var size: Int64 = 0
        /// The first bytes appended, enough to tell what kind of file it is.
        public private(set) var head: [UInt8] = []
        public static let headLength = 4_096
        public var isDiscarding: Bool { discarding }

        init(archive: Archive, temporaryPath: String, descriptor: Int32) {
            self.archive = archive
            self.temporaryPath = temporaryPath
            self.descriptor = descriptor
        }

        deinit { abandon() }

        public func append(_ bytes: [UInt8]) throws(PipelineError) {
            guard bytes.withUnsafeBytes({ write($0) }) else { throw PipelineError(.internal, "cannot write \(temporaryPath) in the archive") }
        }

        public func append(_ buffer: UnsafeRawBufferPointer) throws(PipelineError) {
            guard write(buffer) else { throw PipelineError(.internal, "cannot write \(temporaryPath) in the archive") }
        }

        /// Keeps hashing what is appended but stores none of it (a file over the size limit): the
        /// temporary file is removed and `commit` is refused.
        public func discardContent() {
            discarding = true
            abandon()
        }

        private var discarding = false

        private func write(_ buffer: UnsafeRawBufferPointer) -> Bool {
            if head.count < Self.headLength {
                head.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer.prefix(Self.headLength - head.count)))
            }
            hasher.update(buffer)
            size += Int64(buffer.count)
            if discarding { return true }
            guard descriptor >= 0 else { return false }
            var offset = 0
            while offset < buffer.count {
                let written = Glibc.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                guard written > 0 else { return false }
                offset += written
            }
            return true
        }

        /// The SHA-256 of what was appended so far.
        public var sha256: String { hasher.hex }

        /// Makes the file durable and read-only at its content address; returns its path and hash.
        /// Keeps the bytes and returns where, relative to the archive's root: the ledger stores that,
        /// so an archive mounted elsewhere (another host, a migrated database) still finds its files.
        public func commit(kind: String, extension fileExtension: String) throws(PipelineError) -> (path: String, sha256: String) {
            let hash = sha256
            guard !discarding, descriptor >= 0 else { throw PipelineError(.internal, "\(temporaryPath) was not kept") }
            let stored = "\(kind)/\(hash.prefix(2))/\(hash).\(fileExtension)"
            let directory = "\(archive.root)/\(kind)/\(hash.prefix(2))"
            let path = "\(archive.root)/\(stored)"
            defer { abandon() }
            // Content-addressed and read-only: a file of this name and size already holds these bytes
            // (readers that depend on it, like the cutoff's resume, verify the hash when they read).
            var existing = stat()
            if lstat(path, &existing) == 0, Int64(existing.st_size) == size { return (stored, hash) }
            try archive.makeDirectory(directory)
            let synced = fsync(descriptor) == 0
            Glibc.close(descriptor)
            descriptor = -1
            guard synced, chmod(temporaryPath, Archive.fileMode) == 0, rename(temporaryPath, path) == 0 else {
                throw PipelineError(.internal, "cannot write \(path) to the archive")
            }
            let directoryDescriptor = open(directory, O_RDONLY)
            if directoryDescriptor >= 0 {
                fsync(directoryDescriptor)
                Glibc.close(directoryDescriptor)
            }
            return (stored, hash)
        }

        /// Drops the temporary file (also what a writer that is never committed does when it goes away).
        public func abandon() {
            if descriptor >= 0 {
                Glibc.close(descriptor)
                descriptor = -1
            }
            unlink(temporaryPath)
        }
    }

    /// Removes temporary files whose writer is no longer running (a job killed mid-write); a job calls
    /// this when it starts. Returns how many were removed.
    @discardableResult
    public func removeStaleTemporaryFiles() -> Int {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: temporaryDirectory) else { return 0 }
        var removed = 0
        for name in names {
            guard let marker = name.range(of: ".tmp-", options: .backwards),
                  let pid = pid_t(String(name[marker.upperBound...])), pid != getpid() else { continue }
            let running = kill(pid, 0) == 0 || errno != ESRCH
            if !running && unlink("\(temporaryDirectory)/\(name)") == 0 { removed += 1 }
        }
        return removed
    }

    /// An archived file's bytes, read in one piece.
    /// Where a stored archive path is now: under this root, or as written when a ledger of an
    /// earlier version stored it whole.
    public func location(_ stored: String) -> String {
        stored.hasPrefix("/") ? stored : "\(root)/\(stored)"
    }

    public func read(_ stored: String) throws(PipelineError) -> [UInt8] {
        let path = location(stored)
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw PipelineError(.internal, "archived file \(path) is missing") }
        defer { Glibc.close(descriptor) }
        guard let bytes = Self.readAll(descriptor) else { throw PipelineError(.internal, "cannot read archived file \(path)") }
        return bytes
    }

    /// An archived file read a piece at a time, so that a large one is never held whole.
    public func pieces(of stored: String, size: Int = 1 << 20) throws(PipelineError) -> PieceReader {
        let path = location(stored)
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw PipelineError(.internal, "archived file \(path) is missing") }
        return PieceReader(path: path, descriptor: descriptor, size: max(1, size))
    }

    /// One archived file being read, by one task from start to end.
    public final class PieceReader {
        let path: String
        let descriptor: Int32
        let size: Int

        init(path: String, descriptor: Int32, size: Int) {
            self.path = path
            self.descriptor = descriptor
            self.size = size
        }

        deinit { Glibc.close(descriptor) }

        /// The next piece of up to `size` bytes, or nil at the end.
        public func next() throws(PipelineError) -> [UInt8]? {
            var bytes = [UInt8](repeating: 0, count: size)
            var count = 0
            while count < size {
                let read = bytes.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress! + count, $0.count - count) }
                if read < 0, errno == EINTR { continue }
                guard read >= 0 else { throw PipelineError(.internal, "cannot read archived file \(path)") }
                if read == 0 { break }
                count += read
            }
            guard count > 0 else { return nil }
            if count < size { bytes.removeLast(size - count) }
            return bytes
        }
    }

    /// Every byte of an open file, in one allocation of its size.
    private static func readAll(_ descriptor: Int32) -> [UInt8]? {
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { return nil }
        var bytes = [UInt8](repeating: 0, count: Int(status.st_size))
        var count = 0
        while count < bytes.count {
            let read = bytes.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress! + count, $0.count - count) }
            if read < 0 { return nil }
            if read == 0 { break }
            count += read
        }
        return count == bytes.count ? bytes : Array(bytes.prefix(count))
    }

    func makeDirectory(_ path: String) throws(PipelineError) {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: Int(Self.directoryMode)])
        } catch {
            throw PipelineError(.internal, "cannot create archive directory \(path)")
        }
    }
}
