import Foundation
import Logging
import SFTP

/// Where the bank's files wait: a local directory or a directory on the bank's SFTP server. After a
/// file is recorded, it is moved into `archive/` beside it — never deleted.
public protocol InboundSource: Sendable, CustomStringConvertible {
    func names() async throws(DestinationError) -> [String]
    func read(_ name: String) async throws(DestinationError) -> [UInt8]
    func archive(_ name: String) async throws(DestinationError)
    func close() async
}

public enum InboundSources {
    /// `file:///dir` or `sftp://user@host:port/dir` (same SFTP settings as the cutoff).
    public static func open(_ text: String, sftp settings: DestinationURL.SFTPSettings, logger: Logger) async throws(CutoffError) -> any InboundSource {
        if !text.contains("://") { return LocalInbound(directory: text) }
        let destination = try DestinationURL.parse(text, sftp: settings, logger: logger)
        if let local = destination as? LocalDirectoryDestination { return LocalInbound(directory: local.directory) }
        guard let remote = destination as? SFTPDestination else { throw CutoffError(.configuration, "unsupported inbound source \(text)") }
        do {
            let client = try await SFTPClient.connect(remote.configuration, logger: logger)
            return SFTPInbound(client: client, directory: remote.directory)
        } catch {
            throw CutoffError(.configuration, "cannot open \(remote): \(error)")
        }
    }
}

struct LocalInbound: InboundSource {
    let directory: String
    var description: String { directory }

    func names() async throws(DestinationError) -> [String] {
        do {
            return try FileManager.default.contentsOfDirectory(atPath: directory).filter { name in
                var isDirectory: ObjCBool = false
                return !name.hasPrefix(".") && !name.hasSuffix(".part")
                    && FileManager.default.fileExists(atPath: directory + "/" + name, isDirectory: &isDirectory) && !isDirectory.boolValue
            }.sorted()
        } catch {
            throw DestinationError(.permanent, "cannot list \(directory)")
        }
    }

    func read(_ name: String) async throws(DestinationError) -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: directory + "/" + name) else {
            throw DestinationError(.permanent, "cannot read \(directory)/\(name)")
        }
        return [UInt8](data)
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

struct SFTPInbound: InboundSource {
    let client: SFTPClient
    let directory: String
    var description: String { "\(client.configuration)\(directory)" }

    func names() async throws(DestinationError) -> [String] {
        do {
            var files: [String] = []
            for name in try await client.list(directory) where !name.hasPrefix(".") && !name.hasSuffix(".part") {
                if try await client.stat(directory + "/" + name)?.isDirectory == false { files.append(name) }
            }
            return files
        } catch {
            throw SFTPDestination.map(error)
        }
    }

    func read(_ name: String) async throws(DestinationError) -> [UInt8] {
        do { return try await client.download(directory + "/" + name) } catch { throw SFTPDestination.map(error) }
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
