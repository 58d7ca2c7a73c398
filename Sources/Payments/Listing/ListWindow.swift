import Foundation

/// Which slice of a time-ordered list to read: created in `since..<until`, oldest or newest first,
/// after a cursor's item, at most `limit`. Every list the operator or a merchant pages through
/// (payments, checks, files, bank files, exceptions) takes one, so they page alike.
public struct ListWindow: Sendable, Hashable {
    /// Only items created at or after this time.
    public var since: Date?
    /// Only items created before this time.
    public var until: Date?
    public var newestFirst: Bool
    /// Only items past this one in the list's order: the cursor's item id.
    public var afterID: String?
    public var limit: Int

    public init(since: Date? = nil, until: Date? = nil, newestFirst: Bool = false, afterID: String? = nil, limit: Int = 1_000) {
        self.since = since
        self.until = until
        self.newestFirst = newestFirst
        self.afterID = afterID
        self.limit = limit
    }

    /// Whether an item with `id`, created at `createdAt`, is in the window's range and past its cursor.
    public func admits(id: String, createdAt: Date) -> Bool {
        if let since, createdAt < since { return false }
        if let until, createdAt >= until { return false }
        if let afterID { return newestFirst ? id < afterID : id > afterID }
        return true
    }

    /// The window over items already read (a table that grows by a few rows a day), chosen as a
    /// store chooses: in range, past the cursor, in id order (ids sort by creation), at most `limit`.
    public func select<Item>(_ items: [Item], id: (Item) -> String, createdAt: (Item) -> Date) -> [Item] {
        let admitted = items.filter { admits(id: id($0), createdAt: createdAt($0)) }
            .sorted { newestFirst ? id($0) > id($1) : id($0) < id($1) }
        return Array(admitted.prefix(limit))
    }
}
