#pragma once
// The SQLite backend's event log (store/events.h), private to the backend: the `data` the backend's writes append
// for each kind of change, and the EventLog that reads and prunes the log.

#include "store/event_data.h"
#include "store/events.h"
#include "store/knowledge_store.h"
#include "store/sqlite/db.h"
#include "store/sqlite/sqlite_store.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace parley::store::sqlite {

// Resolves the conversation's open support items as kResolveSupportItems does (by `resolved_by`, at `now_ms`) and
// appends support.resolved for each. Runs inside a write (SqliteStore::AppendEvent).
Result<void> ResolveSupportItemsOf(SqliteStore& store, Database& db, int64_t tenant_id, int64_t conversation_id,
                                   std::string_view resolved_by, int64_t now_ms);

std::unique_ptr<EventLog> MakeSqliteEventLog(SqliteStore& store);

// A tenant's oldest and newest event ids (0 and 0 without events). Two subqueries, because SQLite reads MIN or MAX
// off the primary key only when it is the query's one aggregate: `SELECT MIN(id), MAX(id)` scanned every event the
// tenant has (78 ms at 200,000 events), in each prune write, live-event read and erasure.
inline constexpr char kEventBounds[] =
    "SELECT COALESCE((SELECT MIN(id) FROM events WHERE tenant_id = ?1), 0),"
    " COALESCE((SELECT MAX(id) FROM events WHERE tenant_id = ?1), 0)";

}  // namespace parley::store::sqlite
