#pragma once
// The SQLite backend of store::AnalyticsStore (migration 0025), private to the backend.

#include "store/analytics_store.h"
#include "store/sqlite/db.h"

#include <cstdint>
#include <memory>

namespace parley::store::sqlite {

class SqliteStore;

std::unique_ptr<AnalyticsStore> MakeSqliteAnalyticsStore(SqliteStore& store);

// Adds a committed reply's credits to its channel's slot of `now_ms`, inside the reply's write (claims.cpp).
Result<void> AddReplyCredits(Database& db, int64_t tenant_id, int64_t channel_id, int64_t credits, int64_t now_ms);

}  // namespace parley::store::sqlite
