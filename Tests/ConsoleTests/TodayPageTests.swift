import Console
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Payments
import Testing

/// Today lists the open alerts, critical first, escaped as every value is, and drops each once resolved.
@Suite struct TodayPageTests {
    @Test func openAlertsAreListedCriticalFirstAndGoOnceResolved() async throws {
        let fixture = try await ConsoleFixture()
        let routing = AlertRouting.none
        try await fixture.store.raise(.bankFileMissing, key: "primary/acknowledgement/2026-12-07", summary: "no acknowledgement by 18:30",
                                      routing: routing, at: fixture.clock.now)
        try await fixture.store.raise(.cutoffFailed, key: "primary", summary: "the cutoff stopped: <script>alert(1)</script>",
                                      routing: routing, at: fixture.clock.now)
        // Newer warnings than a page lists: the older critical alert is still shown, and the rest counted.
        for index in 0..<25 {
            try await fixture.store.raise(.endpointDisabled, key: "whe_\(index)", summary: "endpoint \(index) is disabled",
                                          routing: routing, at: fixture.clock.now.addingTimeInterval(Double(index + 1)))
        }
        try await fixture.application().test(.router) { client in
            let olga = try #require(await ConsoleFixture.signIn(client, "olga"))
            let page = String(buffer: try await client.execute(uri: "/console/today", method: .get, headers: olga.headers).body)
            #expect(page.contains("<h2>Open alerts</h2>"))
            let critical = try #require(page.range(of: "cutoff_failed"), "the critical alert is listed though 26 warnings are newer")
            let warning = try #require(page.range(of: "endpoint_disabled"))
            #expect(critical.lowerBound < warning.lowerBound, "critical first")
            #expect(page.contains("and 7 more open alerts"), "27 open, 20 listed")
            #expect(page.contains("&lt;script&gt;") && !page.contains("<script>"))
            #expect(!page.contains("Nothing waits for anyone"))

            try await fixture.store.resolve(.cutoffFailed, key: "primary", routing: routing, at: fixture.clock.now)
            try await fixture.store.resolve(.bankFileMissing, key: "primary/acknowledgement/2026-12-07", routing: routing, at: fixture.clock.now)
            _ = try await fixture.store.settle(.endpointDisabled, current: [:], routing: routing, at: fixture.clock.now)
            let after = String(buffer: try await client.execute(uri: "/console/today", method: .get, headers: olga.headers).body)
            #expect(!after.contains("Open alerts") && !after.contains("cutoff_failed"))
        }
    }
}
