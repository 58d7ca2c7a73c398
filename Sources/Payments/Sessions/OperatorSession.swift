import Foundation

/// One person's signed-in console browser, as stored: the SHA-256 of its cookie's token (the token
/// itself is never kept), who, the CSRF token of its forms, when it started and was last used, and
/// what its next page shows once. Stored, so every `metl serve` on one database knows it and a
/// restart signs no one out.
public struct OperatorSession: Sendable, Hashable {
    public var key: String
    public var operatorName: String
    public var csrf: String
    public var createdAt: Date
    public var lastSeen: Date
    /// What the last action said, shown once on the next page.
    public var notice: Notice?

    public struct Notice: Sendable, Hashable {
        public var text: String
        public var isError: Bool

        public init(text: String, isError: Bool) {
            self.text = text
            self.isError = isError
        }
    }

    /// How often a session's last use is written: a page is not a write, and idle expiry is off by
    /// at most this much.
    public static let touchInterval: TimeInterval = 60

    public init(key: String, operatorName: String, csrf: String, createdAt: Date, lastSeen: Date, notice: Notice? = nil) {
        self.key = key
        self.operatorName = operatorName
        self.csrf = csrf
        self.createdAt = createdAt
        self.lastSeen = lastSeen
        self.notice = notice
    }

    /// Live at `now`: used within `idle`, and started within `lifetime`.
    public func isLive(at now: Date, idle: TimeInterval, lifetime: TimeInterval) -> Bool {
        now.timeIntervalSince(lastSeen) < idle && now.timeIntervalSince(createdAt) < lifetime
    }

    /// A request at `now` records itself as the session's last use.
    public func needsTouch(at now: Date) -> Bool {
        now.timeIntervalSince(lastSeen) >= Self.touchInterval
    }
}
