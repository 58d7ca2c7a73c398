/// The SFTP module owns a safe Swift client over libssh2: connection with timeouts, mandatory host
/// key verification against a known_hosts file, key or password authentication, and the file
/// operations metl needs (upload, stat, no-clobber rename, list, download, remove, mkdir). Every
/// libssh2 call runs on the connection's own serial dispatch queue, never on Swift's cooperative pool.
public enum SFTP {}
