#pragma once
// The PostgreSQL backend's schema migrations (migrations/postgres/NNNN_name.sql, embedded in the binary): versioned
// and forward-only, recorded in schema_migrations (version, name, applied_at) as the SQLite backend records its own.

#include "store/migration.h"
#include "store/postgres/pg.h"

#include <vector>

namespace parley::store::postgres {

// The version of the newest migration this binary has: the schema it writes.
int NewestKnownVersion();

// Applies the migrations `connection`'s database lacks, each in its own transaction, under a transaction-scoped
// advisory lock that serializes every Parley process migrating the same database (each migration is applied exactly
// once). kConflict, before anything is applied, when the database records a migration newer than this binary's: a
// server must not run on a schema it does not know. Migration errors name the migration.
Result<void> ApplyMigrations(Connection& connection);

// Every migration this binary has and every one `connection`'s database records, in version order, read in one
// snapshot without creating anything: with no schema_migrations table yet, every migration is pending.
Result<std::vector<MigrationStatus>> ReadMigrationStatus(Connection& connection);

}  // namespace parley::store::postgres
