#pragma once
// `parley backup`, `parley restore` and `parley migrate [--status]`: what an operator runs to keep a Parley safe and
// to upgrade it (docs/operations.md).
//
// A backup is a directory: the database (a consistent snapshot, taken while the server keeps answering), the master
// key that unseals the channels' tokens (when it is kept in the data directory; a key given by PARLEY_MASTER_KEY
// stays the operator's to keep), and manifest.json saying what it holds, with checksums:
//   {"format": 1, "created_at", "schema_version", "database": {"file", "bytes", "sha256"},
//    "master_key": {"included", "file"?, "fingerprint"}}
// The key's fingerprint (a hash, never the key) lets a restore refuse a key that could not unseal the tokens.

#include "core/config.h"

#include <string>

namespace parley::app {

// Writes a backup into `to` (created; refused when it exists and is not empty) and prints
// {"path", "bytes", "schema_version", "master_key_included"}. Exit code 1 with the reason on stderr otherwise
// (on PostgreSQL it says what to use instead).
int Backup(const Config& config, const std::string& to);

// Fills the configured data directory (which must be missing or empty) from the backup in `from`, after checking
// the manifest, the checksums and the database's integrity; prints {"restored", "data_dir", "schema_version"}.
// Refuses a backup from a newer Parley, and a PARLEY_MASTER_KEY other than the backup's. Backups are of SQLite
// stores: on PostgreSQL both commands refuse, naming pg_dump and pg_restore and the master key to keep.
int Restore(const Config& config, const std::string& from);

// `parley migrate`, on either backend: applies pending migrations and prints {"migrated": N, "schema_version"}
// ("migrated": 0 and "up_to_date": true when there was nothing to do). With `status_only` changes nothing and prints
// one JSON line per migration: {"version", "name", "state": "applied"|"pending"|"unknown", "applied_at"?}; "unknown" is
// one a newer Parley applied, and makes the exit code 1 (this binary must not serve that database).
int Migrate(const Config& config, bool status_only);

}  // namespace parley::app
