import AsyncHTTPClient

/// HTTP clients whose connections go to the address the policy vetted for a host, never to what a
/// second lookup might answer: one client per host with AsyncHTTPClient's `dnsOverride` set to that
/// address (the Host header and TLS name stay the host's). When a host's vetted address changes, a new
/// client takes over and the old one is shut down once it is no longer current.
actor PinnedClients {
    private let configuration: HTTPClient.Configuration
    private var current: [String: (address: String, client: HTTPClient)] = [:]
    private var retired: [HTTPClient] = []
    /// Retired clients kept for requests still in flight on them before they are shut down.
    private static let retiredLimit = 16

    init(configuration: HTTPClient.Configuration) {
        self.configuration = configuration
    }

    func client(host: String, address: String) async -> HTTPClient {
        if let pinned = current[host], pinned.address == address { return pinned.client }
        if let replaced = current[host]?.client { retired.append(replaced) }
        if retired.count > Self.retiredLimit { try? await retired.removeFirst().shutdown() }
        var configuration = self.configuration
        configuration.dnsOverride = [host: address]
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        current[host] = (address, client)
        return client
    }

    func shutdown() async {
        for client in current.values.map(\.client) + retired { try? await client.shutdown() }
        current = [:]
        retired = []
    }
}
