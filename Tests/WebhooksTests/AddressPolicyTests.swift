import Foundation
import Synchronization
import TestSupport
import Testing
@testable import Webhooks

/// The SSRF policy: every form of a non-public address refused, URLs of the wrong form refused, and
/// the connection made to the address that was checked.
@Suite("webhook address policy")
struct AddressPolicyTests {
    /// One address from each IPv4 range that is not public.
    static let privateIPv4: [[UInt8]] = [
        [127, 0, 0, 1], [10, 1, 2, 3], [172, 16, 0, 1], [172, 31, 255, 254], [192, 168, 1, 1], [169, 254, 169, 254],
        [100, 64, 0, 1], [0, 0, 0, 0], [224, 0, 0, 1], [255, 255, 255, 255], [192, 0, 0, 8], [198, 18, 0, 1],
        [192, 0, 2, 1], [198, 51, 100, 1], [203, 0, 113, 1], [192, 88, 99, 1],
    ]

    /// Every IPv6 form that carries `v4`, as URL hosts.
    static func embeddings(of v4: [UInt8]) -> [String] {
        let dotted = v4.map(String.init).joined(separator: ".")
        let hex = { (a: UInt8, b: UInt8) in String(UInt16(a) << 8 | UInt16(b), radix: 16) }
        let high = hex(v4[0], v4[1]), low = hex(v4[2], v4[3])
        let teredoClient = v4.map { $0 ^ 0xFF }
        return [
            "::\(dotted)", "::\(high):\(low)",                                  // IPv4-compatible
            "::ffff:\(dotted)", "::ffff:\(high):\(low)",                        // IPv4-mapped
            "::ffff:0:\(dotted)",                                               // IPv4-translated
            "64:ff9b::\(dotted)", "64:ff9b::\(high):\(low)",                    // NAT64 well-known prefix
            "2002:\(high):\(low)::", "2002:\(high):\(low):1::1",                // 6to4
            "2001:0:\(high):\(low)::\(hex(teredoClient[0], teredoClient[1])):\(hex(teredoClient[2], teredoClient[3]))", // Teredo server
            "2001:0:808:808::\(hex(teredoClient[0], teredoClient[1])):\(hex(teredoClient[2], teredoClient[3]))",        // Teredo client
        ]
    }

    /// Literals only: no test sends a DNS query off this machine.
    static let literalsOnly = AddressPolicy(resolver: HostResolver { HostResolver.numeric($0).map { [$0] } ?? [] })

    @Test("generated: every IPv6 embedding of every non-public IPv4 range is refused; of a public address, allowed")
    func embeddedIPv4() async throws {
        let policy = Self.literalsOnly
        var refused = 0
        for v4 in Self.privateIPv4 {
            for host in Self.embeddings(of: v4) {
                await #expect(throws: WebhookError.self, "\(host)") { try await policy.check(host: host) }
                #expect(throws: Never.self) { try policy.validate(url: "http://[\(host)]/hook") }
                refused += 1
            }
            await #expect(throws: WebhookError.self) { try await policy.check(host: v4.map(String.init).joined(separator: ".")) }
        }
        #expect(refused == Self.privateIPv4.count * 11)
        for host in Self.embeddings(of: [8, 8, 4, 4]) + ["8.8.8.8", "2606:4700::1111"] {
            try await policy.check(host: host)
        }
        for host in ["::1", "::", "fe80::1", "fc00::1", "fd12:3456::1", "ff02::1", "2001:db8::1", "100::1", "64:ff9b:1::1", "fec0::1",
                     "127.1", "2130706433", "0x7f.0.0.1", "0177.0.0.1"] {
            await #expect(throws: WebhookError.self, "\(host)") { try await policy.check(host: host) }
        }
    }

    @Test("URLs: ports outside 1–65535, every control character, spaces and non-ASCII are refused")
    func urlForms() throws {
        let policy = AddressPolicy()
        for port in ["0", "65536", "99999", "99999999999999999999", ""] {
            #expect(throws: WebhookError.self, "port \(port)") { try policy.validate(url: "http://8.8.8.8:\(port)/hook") }
        }
        #expect(try policy.validate(url: "http://8.8.8.8:65535/hook").port == 65535)
        #expect(try policy.validate(url: "https://[2606:4700::1111]:8443/hook").port == 8443)
        for byte in Array(0x00...0x20) + [0x7F] {
            let text = "https://example.com/ho" + String(UnicodeScalar(UInt8(byte))) + "ok"
            #expect(throws: WebhookError.self, "byte \(byte)") { try policy.validate(url: text) }
            #expect(throws: WebhookError.self, "byte \(byte) in the host") {
                try policy.validate(url: "https://exa" + String(UnicodeScalar(UInt8(byte))) + "mple.com/")
            }
        }
        #expect(throws: WebhookError.self) { try policy.validate(url: "https://exämple.com/") }
        #expect(throws: WebhookError.self) { try policy.validate(url: "https://example.com/" + String(repeating: "a", count: 2048)) }
    }

    @Test("a delivery connects to the address the policy resolved, once per attempt, never to a second lookup")
    func connectsToTheVettedAddress() async throws {
        let lookups = Mutex<[String]>([])
        var settings = WebhookFixture.settings()
        // A name the system cannot resolve: only the policy's answer can reach the receiver.
        settings.addressPolicy.resolver = HostResolver { host in
            lookups.withLock { $0.append(host) }
            return host == "receiver.metl-test.invalid" ? [[127, 0, 0, 1]] : []
        }
        let fixture = try await WebhookFixture()
        let receiver = try await TestReceiver(secrets: []) { _ in .init(status: 200) }
        defer { Task { await receiver.stop() } }
        _ = try await fixture.endpoint(receiver.url.replacingOccurrences(of: "127.0.0.1", with: "receiver.metl-test.invalid"))
        try await fixture.payment(through: [.submittedToCore, .processing])
        let summary = try await fixture.worker(settings).drain(timeout: .seconds(5))
        #expect(summary.delivered == 2)
        #expect(receiver.received.count == 2)
        #expect(receiver.received.allSatisfy { $0.headers[":authority"]?.hasPrefix("receiver.metl-test.invalid") == true })
        #expect(lookups.withLock { $0 } == ["receiver.metl-test.invalid", "receiver.metl-test.invalid"])

        // The same name answering a private address next time is refused before any connection.
        settings.addressPolicy.allowPrivate = false
        #expect(await (try? settings.addressPolicy.vet(host: "receiver.metl-test.invalid")) == nil)
    }
}
