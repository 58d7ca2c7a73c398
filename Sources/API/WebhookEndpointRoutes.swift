import Foundation
import HTTPTypes
import Hummingbird
import Payments
import WebhookSignature
import Webhooks

/// `/webhook-endpoints`: a merchant manages its own endpoints. Secrets appear in the answers that
/// create them (create, rotate) and never in listings.
struct WebhookEndpointRoutes: APIRouteGroup {
    let store: any APIStore
    let configuration: APIConfiguration

    var handlers: [APIRoute: Handler] {
        [
            .createWebhookEndpoint: create,
            .listWebhookEndpoints: list,
            .disableWebhookEndpoint: disable,
            .enableWebhookEndpoint: enable,
            .rotateWebhookSecret: rotate,
        ]
    }

    struct EndpointList: Encodable { var data: [WebhookEndpointDocument] }

    /// `POST /webhook-endpoints`: the secret is in this answer (and in a replay of it) only.
    func create(_ request: Request, context: APIRequestContext) async throws -> Response {
        let merchant = try context.authenticatedMerchant()
        let document = try await RequestBody.decode(WebhookEndpointRequest.self, from: request, name: "webhook endpoint document",
                                                    limit: configuration.maximumBodyBytes)
        var urlProblem: PaymentError.FieldError?
        do {
            let url = try configuration.webhookAddresses.validate(url: document.url)
            try await configuration.webhookAddresses.check(host: url.host ?? "")
        } catch {
            urlProblem = .init(field: "url", code: error.code.rawValue, message: error.message)
        }
        let types = try document.validated(urlProblem: urlProblem)
        let (endpoint, secret, created) = try await store.addWebhookEndpoint(
            merchantID: merchant.id, url: document.url, eventTypes: types, secret: StandardWebhooks.makeSecret(),
            idempotencyKey: context.idempotencyKey)
        var headers: HTTPFields = [.location: "/webhook-endpoints/\(endpoint.id)"]
        if !created { headers[.idempotentReplayed] = "true" }
        return JSONBody.response(.created, WebhookEndpointDocument(endpoint, secret: secret), headers: headers)
    }

    func list(_ request: Request, context: APIRequestContext) async throws -> Response {
        let merchant = try context.authenticatedMerchant()
        let endpoints = try await store.webhookEndpoints(merchantID: merchant.id)
        return JSONBody.response(.ok, EndpointList(data: endpoints.map { WebhookEndpointDocument($0) }))
    }

    func disable(_ request: Request, context: APIRequestContext) async throws -> Response {
        try await setEnabled(false, context)
    }

    func enable(_ request: Request, context: APIRequestContext) async throws -> Response {
        try await setEnabled(true, context)
    }

    private func setEnabled(_ enabled: Bool, _ context: APIRequestContext) async throws -> Response {
        let merchant = try context.authenticatedMerchant()
        let endpoint = try await store.setWebhookEndpoint(id: context.parameters.get("id") ?? "", merchantID: merchant.id,
                                                          enabled: enabled, reason: enabled ? nil : "disabled by the merchant")
        return JSONBody.response(.ok, WebhookEndpointDocument(endpoint))
    }

    /// `POST /webhook-endpoints/{id}/rotate-secret`: the new secret; the old one keeps signing for the grace period.
    func rotate(_ request: Request, context: APIRequestContext) async throws -> Response {
        let merchant = try context.authenticatedMerchant()
        let (endpoint, secret) = try await store.rotateWebhookSecret(
            endpointID: context.parameters.get("id") ?? "", merchantID: merchant.id, newSecret: StandardWebhooks.makeSecret(),
            graceEnds: Date().addingTimeInterval(configuration.secretGracePeriod.seconds), idempotencyKey: context.idempotencyKey)
        return JSONBody.response(.ok, WebhookEndpointDocument(endpoint, secret: secret))
    }
}
