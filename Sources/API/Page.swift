import Hummingbird
import Payments

/// What every list endpoint shares: the `state`, `limit` and `cursor` parameters with their field
/// errors, and the page it answers (`data`, and `next_cursor` until the last page).
struct Page<Item: Encodable>: Encodable {
    var data: [Item]
    var nextCursor: String?

    enum CodingKeys: String, CodingKey { case data, nextCursor = "next_cursor" }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(data, forKey: .data)
        try container.encode(nextCursor, forKey: .nextCursor)
    }

    /// The common parameters of `request`, for ids starting `prefix`.
    struct Query {
        var state: PaymentState?
        var limit: Int
        var afterID: String?
        var errors: [PaymentError.FieldError] = []

        init(_ request: Request, configuration: APIConfiguration, prefix: String) {
            let parameters = request.uri.queryParameters
            limit = configuration.defaultPageSize
            if let state = parameters["state"].map(String.init) {
                self.state = PaymentState(rawValue: state)
                if self.state == nil {
                    errors.append(.init(field: "state", code: "invalid", message: "must be one of "
                                        + PaymentState.allCases.map(\.rawValue).joined(separator: ", ")))
                }
            }
            if let text = parameters["limit"].map(String.init) {
                if let limit = Int(text), (1...configuration.maximumPageSize).contains(limit) {
                    self.limit = limit
                } else {
                    errors.append(.init(field: "limit", code: "out_of_range", message: "must be 1 to \(configuration.maximumPageSize)"))
                }
            }
            if let cursor = parameters["cursor"].map(String.init) {
                afterID = Cursor.decode(cursor, prefix: prefix)
                if afterID == nil {
                    errors.append(.init(field: "cursor", code: "invalid_cursor", message: "must be a next_cursor this API returned"))
                }
            }
        }
    }

    /// A page of `limit` items from `fetch`, asked for one more than `limit`, which tells whether another page exists.
    static func fetch(limit: Int, id: (Item) -> String, _ fetch: (Int) async throws -> [Item]) async throws -> Page {
        var items = try await fetch(limit + 1)
        let more = items.count > limit
        if more { items.removeLast() }
        return Page(data: items, nextCursor: more ? items.last.map { Cursor.encode(id($0)) } : nil)
    }
}
