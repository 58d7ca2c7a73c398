// The values come from Package.swift's defines, so only this file is compiled again when they change.
#include "CBuildInfo.h"

const char *metl_build_version(void) { return METL_VERSION; }
const char *metl_build_commit(void) { return METL_COMMIT; }
