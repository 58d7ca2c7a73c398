extension Operator: StoredModel {
    public static let storedColumns = [
        "id", "name", "roles", "email", "password_hash", "totp_secret", "totp_last_step", "disabled_at", "created_at", "updated_at", "version",
    ]

    public init<Row: StoredRow>(stored row: inout Row) throws {
        let id = try row.string(), name = try row.string(), rolesText = try row.string()
        let roles = try Set(rolesText.split(separator: ",").map {
            try StoredColumn.decode(String($0), as: OperatorRole.self, table: "operators", column: "roles")
        })
        self.init(id: id, name: name, roles: roles, email: try row.optionalString(), passwordHash: try row.optionalString(),
                  sealedTOTPSecret: try row.optionalString(), lastTOTPStep: try row.optionalInt64(), disabledAt: try row.optionalDate(),
                  createdAt: try row.date(), updatedAt: try row.date(), version: try row.int())
    }

    /// How `roles` is stored: the role names, comma-separated, in their order.
    public var storedRoles: String { roles.sorted().map(\.rawValue).joined(separator: ",") }
}
