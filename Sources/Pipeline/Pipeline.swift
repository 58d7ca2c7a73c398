/// The Pipeline module owns metl's jobs and their parts. `Cutoff/`: `CutoffJob` collects
/// P_VALIDATED payments under a `JobLease`, has `NACHAFileRenderer` render, validate, archive and
/// record NACHA files (named by `FilenameTemplate`), and hands them to `ExactlyOnceUpload`, which
/// delivers any recorded file exactly once inside the time window. `Ingest/`: `IngestJob` detects,
/// dedupes and archives the bank's files, one `InboundProcessor` per kind reads their effects from the
/// archive in pieces (`InboundPieces`), and `InboundApplication` decides a file whole on a first read
/// and applies it on a second, a piece per transaction. `Import/`:
/// `PaymentImportJob` stages a large import and publishes it at once. Also reconciliation, and the
/// `Destinations/` files go to (a local directory or an SFTP server).
/// It is built on NACHA, BankFiles, Payments' store protocols, SFTP and OpenPGP; it opens no HTTP port.
public enum Pipeline {}
