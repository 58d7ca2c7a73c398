/// The Pipeline module owns metl's jobs and their parts. `Cutoff/`: `CutoffJob` collects
/// P_VALIDATED payments under a `JobLease`, has `NACHAFileRenderer` render, validate, archive and
/// record NACHA files (named by `FilenameTemplate`), and hands them to `ExactlyOnceUpload`, which
/// delivers any recorded file exactly once inside the time window. Also ingest (inbound sources,
/// kind detection, the bank files' effects), reconciliation, and the destinations files go to (a
/// local directory or an SFTP server).
/// It is built on NACHA, Payments, Store's protocols and SFTP; it opens no HTTP port.
public enum Pipeline {}
