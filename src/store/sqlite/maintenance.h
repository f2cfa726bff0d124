#pragma once
// What an operator does to the SQLite file from the command line, next to a running server or instead of one:
// see which migrations it has, copy it consistently, check a copy. Nothing here opens the store itself (no writer
// thread, no migration): a backup of a live database must not change it.

#include "core/error.h"
#include "store/migration.h"
#include "store/sqlite/db.h"

#include <cstdint>
#include <string>
#include <vector>

namespace parley::store::sqlite {

// The version of the newest migration this binary has: the schema it writes.
int NewestKnownVersion();

// Every migration this binary has and every one the database records, in version order. A database file that does
// not exist yet has every migration pending.
Result<std::vector<MigrationStatus>> ReadMigrationStatus(const std::string& path);

// kConflict when the database holds migrations newer than this binary's: a server must not run on a schema it does
// not know (an older binary after a downgrade, or a backup from a newer version).
Result<void> RefuseNewerSchema(Database& db);

// Copies the database at `source` into the new file `destination` as one consistent snapshot (SQLite's online
// backup), while other connections and processes keep reading and writing the source. Returns the copy's size.
Result<int64_t> BackupDatabase(const std::string& source, const std::string& destination);

// kInvalidArgument naming the first problem when `path` is not an intact SQLite database (PRAGMA quick_check).
Result<void> CheckIntegrity(const std::string& path);

}  // namespace parley::store::sqlite
