/// A value as every store holds it: the ledger's columns are integers (cents, versions, times in
/// milliseconds, flags) or text. What `metl migrate-store` copies, and what its checksums cover.
public enum StoredValue: Sendable, Hashable {
    case null
    case integer(Int64)
    case text(String)
}
