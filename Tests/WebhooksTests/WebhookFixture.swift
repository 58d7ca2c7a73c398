import Foundation
import Logging
import Payments
import TestSupport
import WebhookSignature
import Webhooks

/// A ledger with a merchant, its endpoint, and payments moved through states so events exist, on
/// the store `implementation` names (the delivery and outbox tests run on each).
struct WebhookFixture {
    let database: any StoreDatabase
    let store: any LedgerStore
    let merchant: Merchant

    init(_ implementation: StoreImplementation = .sqlite) async throws {
        database = try await implementation.makeDatabase()
        store = try await database.open()
        merchant = try await store.fundedMerchant(100_000_000)
    }

    func endpoint(_ url: String, types: [WebhookEventType] = []) async throws -> (WebhookEndpoint, String) {
        let (endpoint, secret, _) = try await store.addWebhookEndpoint(merchantID: merchant.id, url: url, eventTypes: types,
                                                                       secret: StandardWebhooks.makeSecret(), idempotencyKey: nil)
        return (endpoint, secret)
    }

    /// A payment taken in and moved through `states`: one event per notified state.
    @discardableResult
    func payment(through states: [PaymentState]) async throws -> Payment {
        let outcome = try await store.intake([try Requests.intake(merchant)])
        var payment = outcome[0].payment
        for state in states {
            payment = try await store.transition(paymentID: payment.id, steps: [
                TransitionStep(to: state, actor: .operator, reasonCode: "test", reasonText: "moved by the test",
                               failure: state == .failed ? Failure(code: "R01", message: "insufficient funds") : nil),
            ])
        }
        return payment
    }

    static func settings(schedule: String = "200ms,200ms,200ms", timeout: Duration = .seconds(5)) -> WebhookSettings {
        var settings = WebhookSettings()
        settings.schedule = RetrySchedule(parsing: schedule, jitter: 0)!
        settings.addressPolicy.allowPrivate = true
        settings.requestTimeout = timeout
        settings.connectTimeout = .seconds(2)
        settings.pollInterval = .milliseconds(50)
        return settings
    }

    func worker(_ settings: WebhookSettings = WebhookFixture.settings()) -> WebhookWorker {
        WebhookWorker(store: store, settings: settings, logger: Logger(label: "webhooks.test") { _ in SwiftLogNoOpLogHandler() })
    }
}
