/// The Pipeline module owns metl's jobs: the cutoff (collect P_VALIDATED payments, render NACHA
/// files, archive them, deliver them exactly once to the bank inside the time window, mark the
/// payments submitted) and the destinations it delivers to (a local directory or an SFTP server).
/// It is built on NACHA, Payments, Store's protocols and SFTP; it opens no HTTP port.
public enum Pipeline {}
