/// The Payments module owns the payment domain: the payment and its request document, the
/// `P_*` state machine with its one transition table, intake validation (schema, NACHA character
/// rules, funds), the history every change leaves, and every rule of the ledger: `Ledger/`'s
/// `LedgerPlanner` turns each operation into a `LedgerPlan` that a store only persists, and
/// `Webhooks/` says which changes notify merchants and what the event body holds. It also owns the
/// store protocols (`LedgerStore`, with `Imports/`' staged imports), their isolation contract and
/// their errors (`PaymentError` for refusals, `StoreError` for storage), which both storage
/// implementations (SQLite and PostgreSQL) satisfy, and `Transfer/`, what moving a database from
/// one to the other copies and compares. It renders no files and opens no sockets.
public enum Payments {}
