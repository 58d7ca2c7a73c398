import Foundation
import Payments

/// Webhooks: every merchant's endpoints, the deliveries pending or dead-lettered, and replaying an
/// event to its endpoints.
extension ConsolePages {
    struct EndpointRow { var id: String; var merchant: String; var url: String; var enabled: Bool; var reason: String; var events: String }
    struct DeliveryRow { var id: String; var event: String; var type: String; var subject: String; var endpoint: String; var status: String; var attempts: Int; var last: String; var created: String; var dead: Bool }

    struct WebhooksModel {
        var statuses: [Option]
        var endpoints: [EndpointRow]
        var deliveries: [DeliveryRow]
        var next: String?
        var deadLetters: Int
        var pending: Int
        var canReplay: Bool
    }

    func webhooks(_ request: ConsoleRequest) async throws -> ConsoleReply {
        let status = request.filter("status") ?? WebhookDeliveryStatus.Status.failed.rawValue
        guard let parsed = WebhookDeliveryStatus.Status(rawValue: status) else { throw ConsoleError.badRequest("\(status) is not a delivery status") }
        let names = try await merchantNames()
        let endpoints = try await store.webhookEndpoints(merchantID: nil).map {
            EndpointRow(id: $0.id, merchant: names[$0.merchantID] ?? $0.merchantID, url: $0.url, enabled: $0.enabled, reason: $0.disabledReason ?? "",
                        events: $0.eventTypes.map(\.rawValue).joined(separator: ", "))
        }
        let window = try self.window(request, prefix: WebhookDeliveryStatus.idPrefix, limit: configuration.pageSize)
        let deliveries = try await ListPage<WebhookDeliveryStatus>.fetch(window, id: \.id) { window in
            try await store.webhookDeliveries(status: parsed, window: window)
        }
        let model = WebhooksModel(
            statuses: Self.options(WebhookDeliveryStatus.Status.allCases.map(\.rawValue), selected: status), endpoints: endpoints,
            deliveries: deliveries.data.map {
                DeliveryRow(id: $0.id, event: $0.eventID, type: $0.eventType.rawValue, subject: $0.subjectID, endpoint: $0.endpointID,
                            status: $0.status.rawValue, attempts: $0.attempts,
                            last: ($0.lastStatusCode.map { "HTTP \($0)" } ?? "") + ($0.lastError.map { " \($0)" } ?? ""),
                            created: Format.time($0.createdAt), dead: $0.status == .failed)
            },
            next: nextLink(request, cursor: deliveries.nextCursor),
            deadLetters: try await store.webhookDeliveryCount(status: .failed), pending: try await store.webhookDeliveryCount(status: .pending),
            canReplay: request.may(.operator))
        return await render("webhooks", "Webhooks", model, request)
    }

    func replayEvent(_ request: ConsoleRequest) async throws -> ConsoleReply {
        let id = try request.parameter("id")
        return try await act(request, back: "/console/webhooks") { _ in
            let count = try await store.replayWebhookEvent(id: id, endpointID: request.field("endpoint"))
            return "event \(id) queued again for \(count) endpoint\(count == 1 ? "" : "s")"
        }
    }
}
