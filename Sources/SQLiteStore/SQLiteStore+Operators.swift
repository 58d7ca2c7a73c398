import Foundation
import GRDB
import Payments

extension SQLiteStore: OperatorStore {
    public func addOperator(_ person: Operator, _ change: OperatorChange) async throws {
        try await write("adding an operator", audit: change.auditRecord) { db in
            try db.execute(sql: """
                INSERT INTO operators (\(Operator.columnList)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [person.id, person.name, person.storedRoles, person.email, person.passwordHash, person.sealedTOTPSecret,
                                 person.lastTOTPStep, person.disabledAt.map(Self.milliseconds), Self.milliseconds(person.createdAt),
                                 Self.milliseconds(person.updatedAt), person.version])
            try Self.record(change, db)
        }
    }

    public func operatorChanges(operatorID: String) async throws -> [OperatorChange] {
        try await read("reading an operator's history") { db in
            try Row.fetchAll(db, sql: "SELECT \(OperatorChange.columnList) FROM operator_history WHERE operator_id = ? ORDER BY id",
                             arguments: [operatorID]).map(OperatorChange.init(_:))
        }
    }

    private static func record(_ change: OperatorChange, _ db: Database) throws {
        try db.execute(sql: "INSERT INTO operator_history (\(OperatorChange.columnList), change_set) VALUES (?, ?, ?, ?, ?, metl_change_set('operator_history'))",
                       arguments: [change.operatorID, change.version, change.actor.rawValue, change.change, milliseconds(change.at)])
    }

    public func operators() async throws -> [Operator] {
        try await read("listing operators") { db in
            try Row.fetchAll(db, sql: "SELECT \(Operator.columnList) FROM operators ORDER BY name").map(Operator.init(_:))
        }
    }

    public func operatorNamed(_ name: String) async throws -> Operator {
        try await read("reading an operator") { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT \(Operator.columnList) FROM operators WHERE name = ?", arguments: [name]) else {
                throw PaymentError(.notFound, "no operator \(name)")
            }
            return try Operator(row)
        }
    }

    public func updateOperator(_ person: Operator, from version: Int, _ change: OperatorChange) async throws {
        try await write("changing an operator", audit: change.auditRecord) { db in
            try db.execute(sql: """
                UPDATE operators SET roles = ?, email = ?, password_hash = ?, totp_secret = ?, totp_last_step = ?, disabled_at = ?,
                    updated_at = ?, version = ? WHERE id = ? AND version = ?
                """, arguments: [person.storedRoles, person.email, person.passwordHash, person.sealedTOTPSecret, person.lastTOTPStep,
                                 person.disabledAt.map(Self.milliseconds), Self.milliseconds(person.updatedAt), version + 1, person.id, version])
            guard db.changesCount == 1 else { throw StoreError(.conflict, "operator \(person.name) changed since it was read") }
            try Self.record(change, db)
        }
    }

    public func takeTOTPStep(operatorID: String, step: Int64) async throws -> Bool {
        try await write("taking a TOTP step") { db in
            try db.execute(sql: """
                UPDATE operators SET totp_last_step = ? WHERE id = ? AND (totp_last_step IS NULL OR totp_last_step < ?)
                """, arguments: [step, operatorID, step])
            return db.changesCount == 1
        }
    }
}
