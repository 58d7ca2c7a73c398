#ifndef CBUILDINFO_H
#define CBUILDINFO_H

/// The version this build is (Package.swift's `version`).
const char *metl_build_version(void);
/// The commit it was built from: 12 hex digits, `-dirty` when the tree had changes, or `unknown`.
const char *metl_build_commit(void);

#endif
