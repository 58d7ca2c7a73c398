/// One page of a list: its items and, while more follow, the cursor that reads the next page.
public struct ListPage<Item: Sendable>: Sendable {
    public var data: [Item]
    public var nextCursor: String?

    public init(data: [Item], nextCursor: String?) {
        self.data = data
        self.nextCursor = nextCursor
    }

    /// The same page with each item mapped (a model to its document).
    public func map<Other>(_ transform: (Item) throws -> Other) rethrows -> ListPage<Other> {
        ListPage<Other>(data: try data.map(transform), nextCursor: nextCursor)
    }

    /// The page `window` selects, read by `fetch` with one more than its limit, which tells whether
    /// another page follows.
    public static func fetch(_ window: ListWindow, id: (Item) -> String,
                             _ fetch: (ListWindow) async throws -> [Item]) async throws -> ListPage {
        var wider = window
        wider.limit = window.limit == Int.max ? Int.max : window.limit + 1
        var items = try await fetch(wider)
        let more = items.count > window.limit
        if more { items.removeLast(items.count - window.limit) }
        return ListPage(data: items, nextCursor: more ? items.last.map { ListCursor.encode(id($0)) } : nil)
    }
}

/// `{"data": […], "next_cursor": …}`, the cursor `null` on the last page.
extension ListPage: Encodable where Item: Encodable {
    enum CodingKeys: String, CodingKey { case data, nextCursor = "next_cursor" }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(data, forKey: .data)
        try container.encode(nextCursor, forKey: .nextCursor)
    }
}
