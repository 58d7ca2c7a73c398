// An example merchant receiver built on the WebhookReceiver kit: verify, dedupe, order, reconcile.
//
//   METL_WEBHOOK_SECRETS=whsec_…[,whsec_…]   secrets of the endpoint (both during a rotation)
//   METL_API_URL=http://127.0.0.1:8080 METL_API_KEY=metl_sk_…   optional: reconcile with the status endpoints
//   RECEIVER_DATABASE=receiver.sqlite RECEIVER_PORT=9090
//
// It answers 204 to everything it takes (including duplicates and stale versions, so metl stops
// retrying them) and 400 to deliveries that fail verification.
import Foundation
import Hummingbird
import Logging
import WebhookReceiver

let environment = ProcessInfo.processInfo.environment
let secrets = (environment["METL_WEBHOOK_SECRETS"] ?? "").split(separator: ",").map(String.init)
guard !secrets.isEmpty else {
    FileHandle.standardError.write(Data("set METL_WEBHOOK_SECRETS to the endpoint's whsec_ secret(s)\n".utf8))
    exit(2)
}
let status = environment["METL_API_URL"].flatMap { url in
    environment["METL_API_KEY"].map { StatusClient(baseURL: url, apiKey: $0) }
}
let receiver = WebhookReceiver(verifier: WebhookVerifier(secrets: secrets),
                               store: try SQLiteReceiverStore(path: environment["RECEIVER_DATABASE"] ?? "receiver.sqlite"),
                               status: status)

/// One line per delivery, written at once (print would sit in a buffer when stdout is a file).
@Sendable func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

let router = Router()
router.post("/webhooks") { request, _ -> Response in
    let body = try await request.body.collect(upTo: 1 << 20)
    var headers: [String: String] = [:]
    for field in request.headers { headers[field.name.rawName] = field.value }
    switch try await receiver.receive(headers: headers, body: Data(buffer: body)) {
    case .discarded(let reason):
        say("discarded: \(reason)")
        return Response(status: .badRequest)
    case .duplicate(let id):
        say("duplicate \(id): already handled")
    case .stale(let event):
        say("stale \(event.id): \(event.data.id) is past version \(event.data.version)")
    case .apply(let snapshot, let event, let reconciled):
        // Here a real receiver updates its own records, in one transaction with nothing else.
        say("\(event.type) \(snapshot.id) → \(snapshot.state) v\(snapshot.version)\(reconciled ? " (from its status endpoint)" : "")")
    }
    return Response(status: .noContent)
}
let port = Int(environment["RECEIVER_PORT"] ?? "9090") ?? 9090
let application = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)),
                              logger: Logger(label: "receiver"))
try await application.runService()
