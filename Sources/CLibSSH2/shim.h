// libssh2 for Swift: the system library (pkg-config libssh2, Debian libssh2-1-dev).
#include <libssh2.h>
#include <libssh2_sftp.h>
