/// What a person may do in metl. One person may hold several.
public enum OperatorRole: String, Sendable, Hashable, CaseIterable, Codable, Comparable {
    /// Creates and imports payments and checks, retries, cancels, dismisses, replays, manages endpoints.
    case `operator`
    /// Approves and rejects what needs four eyes.
    case approver
    /// Reads everything and changes nothing; never sees full account numbers.
    case auditor
    /// Manages operators, merchants, API keys and the configuration.
    case admin

    public static func < (left: OperatorRole, right: OperatorRole) -> Bool {
        allCases.firstIndex(of: left)! < allCases.firstIndex(of: right)!
    }

    /// Roles as a list names them (`operator,approver`), each known; nil names the first that is not.
    public static func parse(_ text: String) -> Result<Set<OperatorRole>, PaymentError> {
        var roles: Set<OperatorRole> = []
        for name in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !name.isEmpty {
            guard let role = OperatorRole(rawValue: name) else {
                return .failure(PaymentError(.invalidRequest, "unknown role \(name); the roles are "
                                             + allCases.map(\.rawValue).joined(separator: ", ")))
            }
            roles.insert(role)
        }
        guard !roles.isEmpty else { return .failure(PaymentError(.invalidRequest, "name at least one role")) }
        return .success(roles)
    }
}
