import Foundation
import Logging
import SFTP

/// The bank's SFTP server. Each cutoff pass opens one session; errors are sorted into transient
/// (retry on a new session inside the window) and permanent (stop and tell the operator).
public struct SFTPDestination: Destination {
    public let configuration: SFTPConfiguration
    public let directory: String
    let logger: Logger

    public init(configuration: SFTPConfiguration, directory: String, logger: Logger) {
        self.configuration = configuration
        self.directory = directory
        self.logger = logger
    }

    public var description: String { "\(configuration)\(directory.hasPrefix("/") ? "" : "/")\(directory)" }

    public func connect(deadline: ContinuousClock.Instant) async throws(DestinationError) -> any DestinationSession {
        var configuration = configuration
        // No single call may outlive the window by more than a little.
        let remaining = deadline - ContinuousClock.now
        configuration.operationTimeout = max(.seconds(1), min(configuration.operationTimeout, remaining))
        configuration.connectTimeout = max(.seconds(1), min(configuration.connectTimeout, remaining))
        do {
            let client = try await SFTPClient.connect(configuration, logger: logger)
            return Session(client: client, directory: directory)
        } catch {
            throw Self.map(error)
        }
    }

    static func map(_ error: SFTPError) -> DestinationError {
        if error.code == .fileExists { return DestinationError(.exists, error.description) }
        return DestinationError(error.isTransient ? .transient : .permanent, error.description)
    }

    struct Session: DestinationSession {
        let client: SFTPClient
        let directory: String

        func path(of name: String) -> String { directory == "." ? name : directory + "/" + name }

        func size(of name: String) async throws(DestinationError) -> Int64? {
            do { return try await client.stat(path(of: name))?.size } catch { throw SFTPDestination.map(error) }
        }

        func write(_ bytes: [UInt8], to name: String) async throws(DestinationError) {
            do { try await client.upload(bytes, to: path(of: name)) } catch { throw SFTPDestination.map(error) }
        }

        func renameNoClobber(_ from: String, to: String) async throws(DestinationError) {
            do { try await client.renameNoClobber(path(of: from), to: path(of: to)) } catch { throw SFTPDestination.map(error) }
        }

        func read(_ name: String) async throws(DestinationError) -> [UInt8] {
            do { return try await client.download(path(of: name)) } catch { throw SFTPDestination.map(error) }
        }

        func remove(_ name: String) async throws(DestinationError) {
            do { try await client.remove(path(of: name)) } catch { throw SFTPDestination.map(error) }
        }

        func close() async { await client.close() }
    }
}
