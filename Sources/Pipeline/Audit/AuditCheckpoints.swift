import Foundation
import Logging
import Payments

/// Signed checkpoints of the audit log kept in the archive, as `audit/checkpoint-SEQUENCE.json`
/// (owner-only, never overwritten): written by `metl audit checkpoint` and at the end of every job
/// run, read back by `metl audit verify`.
public struct AuditCheckpoints: Sendable {
    public let archive: Archive

    public init(archive: Archive) {
        self.archive = archive
    }

    var directory: String { archive.root + "/audit" }

    /// Signs the log's head with `key` and writes it; the path and the checkpoint. Nil while the log is empty.
    public func write(_ store: any AuditStore, key: AuditSigningKey, at now: Date) async throws -> (path: String, checkpoint: AuditCheckpoint)? {
        guard let head = try await store.auditHead() else { return nil }
        let checkpoint = try AuditCheckpoint.sign(sequence: head.sequence, hash: head.hash, at: now, with: key)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let path = "\(directory)/checkpoint-\(head.sequence).json"
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data = try encoder.encode(checkpoint)
        // A checkpoint of the same head is already written: the first one stands.
        if FileManager.default.fileExists(atPath: path) { return (path, try Self.read(path)) }
        guard FileManager.default.createFile(atPath: path, contents: data, attributes: [.posixPermissions: 0o400]) else {
            throw PipelineError(.internal, "cannot write \(path)")
        }
        return (path, checkpoint)
    }

    /// The checkpoint of the highest sequence in the archive, if any.
    public func latest() throws -> (path: String, checkpoint: AuditCheckpoint)? {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        let sequences = names.compactMap { name -> Int64? in
            guard name.hasPrefix("checkpoint-"), name.hasSuffix(".json") else { return nil }
            return Int64(name.dropFirst("checkpoint-".count).dropLast(".json".count))
        }
        guard let highest = sequences.max() else { return nil }
        let path = "\(directory)/checkpoint-\(highest).json"
        return (path, try Self.read(path))
    }

    public static func read(_ path: String) throws -> AuditCheckpoint {
        guard let data = FileManager.default.contents(atPath: path) else { throw PipelineError(.notFound, "cannot read the checkpoint \(path)") }
        do {
            return try JSONDecoder().decode(AuditCheckpoint.self, from: data)
        } catch {
            throw PipelineError(.invalidFile, "\(path) is not a metl audit checkpoint")
        }
    }
}
