import GRDB
import Payments
import Synchronization

/// The change set of the transaction the writer connection is in, for `metl_change_set(TABLE)`:
/// what the INSERTs into covered tables (`AuditedTable`) bind to their `change_set` column, and
/// which of those tables the transaction wrote, so its entry digests only them. One per store;
/// its writer runs one transaction at a time, and `write` begins and ends it around each.
final class AuditChangeSet: Sendable {
    static let idPrefix = "chg"

    private struct State {
        var id: String?
        var tables: Set<String> = []
        var record: AuditRecord?
    }

    private let state = Mutex(State())

    func begin(_ id: String) { state.withLock { $0 = State(id: id) } }

    /// Says what the transaction is, when only its body knows (an intake's plan).
    func describe(_ record: AuditRecord?) { state.withLock { $0.record = record } }

    /// The covered tables written since `begin` and the record its body gave; clears the change set.
    func end() -> (tables: Set<String>, record: AuditRecord?) {
        state.withLock { state in
            defer { state = State() }
            return (state.tables, state.record)
        }
    }

    /// The change set of the transaction `db` is in, read once per statement that writes covered
    /// rows of `table` and bound to each of them (a call per row would cost a Swift call per row).
    static func value(_ db: Database, for table: String) throws -> DatabaseValue {
        try DatabaseValue.fetchOne(db.cachedStatement(sql: "SELECT metl_change_set(?)"), arguments: [table]) ?? .null
    }

    /// Outside a write (a reader, a tool) the function gives NULL, which no entry covers.
    var function: DatabaseFunction {
        DatabaseFunction("metl_change_set", argumentCount: 1, pure: false) { [self] arguments in
            state.withLock { state in
                if state.id != nil, let table = String.fromDatabaseValue(arguments[0]) { state.tables.insert(table) }
                return state.id
            }
        }
    }
}
