import GRDB
import Synchronization

/// The change set of the transaction the writer connection is in, for `metl_change_set()`: the
/// function the INSERTs into covered tables (`AuditedTable`) call for their `change_set` column.
/// One per store; its writer runs one transaction at a time, and `write` sets and clears it
/// around each.
final class AuditChangeSet: Sendable {
    static let idPrefix = "chg"
    let current = Mutex<String?>(nil)

    /// Outside a write (a reader, a tool) the function gives NULL, which no entry covers.
    var function: DatabaseFunction {
        DatabaseFunction("metl_change_set", argumentCount: 0, pure: false) { [self] _ in current.withLock { $0 } }
    }
}
