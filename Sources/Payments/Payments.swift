/// The Payments module owns the payment domain: the payment and its request document, the
/// `P_*` state machine with its one transition table, intake validation (schema, NACHA character
/// rules, funds), the history every change leaves, and the `PaymentStore` protocol that storage
/// implementations (SQLite today, PostgreSQL later) satisfy. It renders no files and opens no sockets.
public enum Payments {}
