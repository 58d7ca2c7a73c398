import Foundation
import Payments

/// Checks outbound files against the ledger, for auditors: each archived file's bytes (and a sealed
/// file's plaintext) by size and SHA-256, and the copy at the bank through the file's destination,
/// one connection for all the files that share it. It only reads.
public struct FileVerifier: Sendable {
    public let archive: Archive

    public init(archive: Archive) {
        self.archive = archive
    }

    /// The archive checks of `file`, with its remote copy not compared for `reason`.
    public func verifyArchive(_ file: OutboundFile, remote reason: String) -> FileVerification {
        FileVerification(file: file, archive: check(file.archivePath, size: file.size, sha256: file.sha256),
                         plaintext: file.sealing.map { check($0.plaintextArchivePath, size: $0.plaintextSize, sha256: $0.plaintextSHA256) },
                         remote: .notChecked(reason))
    }

    /// The archive checks of `files`, and each uploaded one's copy read back from `destination`.
    public func verify(_ files: [OutboundFile], at destination: any Destination, deadline: ContinuousClock.Instant) async -> [FileVerification] {
        var verified = files.map { verifyArchive($0, remote: "not uploaded") }
        let sent = verified.indices.filter { verified[$0].file.status == .uploaded }
        guard !sent.isEmpty else { return verified }
        let session: any DestinationSession
        do {
            session = try await destination.connect(deadline: deadline)
        } catch {
            for index in sent { verified[index].remote = .notChecked("cannot read back from \(destination): \(error.message)") }
            return verified
        }
        for index in sent {
            verified[index].remote = await remote(verified[index].file, session)
        }
        await session.close()
        return verified
    }

    private func remote(_ file: OutboundFile, _ session: any DestinationSession) async -> FileVerification.Outcome {
        do {
            guard let size = try await session.size(of: file.name) else {
                return .absent("\(session.path(of: file.name)) is no longer on the server (the bank may have collected it)")
            }
            guard size == file.size else { return .differs("\(session.path(of: file.name)) is \(Words.count(Int(size), "byte")), the ledger's \(file.size)") }
            let digest = Archive.sha256(try await session.read(file.name))
            return digest == file.sha256 ? .matches : .differs("\(session.path(of: file.name)) has SHA-256 \(digest), the ledger's \(file.sha256)")
        } catch {
            return .notChecked("cannot read \(session.path(of: file.name)): \(error.message)")
        }
    }

    /// A bank file's archived bytes: those received (sealed, when it came sealed) and the plaintext opened from them.
    public func verifyArchive(_ file: InboundFile) -> [FileVerification.Outcome] {
        guard let opening = file.opening else { return [check(file.archivePath, size: file.size, sha256: file.sha256)] }
        return [check(opening.sealedArchivePath, size: file.size, sha256: file.sha256),
                check(file.archivePath, size: nil, sha256: opening.plaintextSHA256)]
    }

    /// `path`'s bytes against the ledger's size (when it has one) and SHA-256.
    private func check(_ path: String, size: Int64?, sha256: String) -> FileVerification.Outcome {
        let bytes: [UInt8]
        do {
            bytes = try archive.read(path)
        } catch {
            return .absent(error.message)
        }
        let location = archive.location(path)
        if let size, bytes.count != size { return .differs("\(location) is \(Words.count(bytes.count, "byte")), the ledger's \(size)") }
        let digest = Archive.sha256(bytes)
        return digest == sha256 ? .matches : .differs("\(location) has SHA-256 \(digest), the ledger's \(sha256)")
    }
}
