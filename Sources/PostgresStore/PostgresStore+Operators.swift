import Foundation
import Payments
import PostgresNIO

extension PostgresStore: OperatorStore {
    public func addOperator(_ person: Operator, _ change: OperatorChange) async throws {
        try await transaction("adding an operator", audit: change.auditRecord) { session in
            try await session.count("""
                INSERT INTO operators (\(unescaped: Operator.columnList))
                VALUES (\(person.id), \(person.name), \(person.storedRoles), \(person.email), \(person.passwordHash), \(person.sealedTOTPSecret),
                        \(person.lastTOTPStep), \(person.disabledAt.map(Self.milliseconds)), \(Self.milliseconds(person.createdAt)),
                        \(Self.milliseconds(person.updatedAt)), \(person.version))
                """)
            try await Self.record(change, session)
        }
    }

    public func operatorChanges(operatorID: String) async throws -> [OperatorChange] {
        try await read("reading an operator's history") { session in
            try await session.rows("""
                SELECT \(unescaped: OperatorChange.columnList) FROM operator_history WHERE operator_id = \(operatorID) ORDER BY id
                """).map(OperatorChange.init(_:))
        }
    }

    private static func record(_ change: OperatorChange, _ session: Session) async throws {
        try await session.count("""
            INSERT INTO operator_history (\(unescaped: OperatorChange.columnList))
            VALUES (\(change.operatorID), \(change.version), \(change.actor.rawValue), \(change.change), \(milliseconds(change.at)))
            """)
    }

    public func operators() async throws -> [Operator] {
        try await read("listing operators") { session in
            try await session.rows("SELECT \(unescaped: Operator.columnList) FROM operators ORDER BY name").map(Operator.init(_:))
        }
    }

    public func operatorNamed(_ name: String) async throws -> Operator {
        try await read("reading an operator") { session in
            guard let row = try await session.rows("SELECT \(unescaped: Operator.columnList) FROM operators WHERE name = \(name)").first else {
                throw PaymentError(.notFound, "no operator \(name)")
            }
            return try Operator(row)
        }
    }

    public func updateOperator(_ person: Operator, from version: Int, _ change: OperatorChange) async throws {
        try await transaction("changing an operator", audit: change.auditRecord) { session in
            let changed = try await session.count("""
                UPDATE operators SET roles = \(person.storedRoles), email = \(person.email), password_hash = \(person.passwordHash),
                    totp_secret = \(person.sealedTOTPSecret), totp_last_step = \(person.lastTOTPStep),
                    disabled_at = \(person.disabledAt.map(Self.milliseconds)), updated_at = \(Self.milliseconds(person.updatedAt)),
                    version = \(version + 1)
                WHERE id = \(person.id) AND version = \(version)
                """)
            guard changed == 1 else { throw StoreError(.conflict, "operator \(person.name) changed since it was read") }
            try await Self.record(change, session)
        }
    }

    public func takeTOTPStep(operatorID: String, step: Int64) async throws -> Bool {
        try await transaction("taking a TOTP step") { session in
            try await session.count("""
                UPDATE operators SET totp_last_step = \(step) WHERE id = \(operatorID) AND (totp_last_step IS NULL OR totp_last_step < \(step))
                """) == 1
        }
    }
}
