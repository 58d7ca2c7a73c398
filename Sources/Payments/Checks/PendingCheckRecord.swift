/// A record an issue file is to carry: a check to issue or a void to send, with its account.
public struct PendingCheckRecord: Sendable, Hashable {
    public enum Action: String, Sendable, Hashable, CaseIterable {
        case issue, void
    }

    public var action: Action
    public var check: CheckIssue
    public var account: CheckAccount

    public init(action: Action, check: CheckIssue, account: CheckAccount) {
        self.action = action
        self.check = check
        self.account = account
    }
}
