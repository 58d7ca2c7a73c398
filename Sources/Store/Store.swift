/// The Store module owns persistence on SQLite through GRDB: the schema and its migrations, the
/// connection settings that let a cron job and a server share one file safely (WAL,
/// `synchronous=FULL`, busy timeout, foreign keys), `SQLiteStore`, the `LedgerStore`
/// implementation, and `LedgerPlanWriter`, which persists the plans Payments computes. It holds no
/// business rule.
public enum Store {}
