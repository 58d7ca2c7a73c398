/// OpenPGP for the files metl exchanges with banks: encrypt and sign what goes out, decrypt and
/// verify what comes back, and the keys both need, all in a GnuPG home that metl owns (never the
/// user's `~/.gnupg`).
///
/// It drives the `gpg` binary (GnuPG 2.2 or later) through swift-subprocess rather than linking
/// GPGME. GPGME itself runs the same `gpg` binary in a child process, so it saves no work; what it
/// adds is a C API of callbacks and global state to bind, where `gpg --batch --status-fd` already
/// gives a documented, machine-readable account of every operation (`doc/DETAILS`: `VALIDSIG`,
/// `NO_SECKEY`, `KEY_CREATED` …), and `--with-colons` of every key. Running a child process is
/// asynchronous, so no blocking call ever occupies the cooperative thread pool. Passphrases are
/// passed as files (`--passphrase-file`, loopback pinentry), never as arguments, and never
/// appear in an error.
enum OpenPGPModule {}
