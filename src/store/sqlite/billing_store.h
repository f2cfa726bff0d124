#pragma once
// The SQLite backend of store::BillingStore, private to the backend: writes go through the SqliteStore's writer
// thread, whose single writer makes check-and-reserve atomic; reads go through its reader pool.

#include "store/billing_store.h"
#include "store/sqlite/db.h"

#include <memory>

namespace parley::store::sqlite {

class SqliteStore;

std::unique_ptr<BillingStore> MakeSqliteBillingStore(SqliteStore& store);

// For CommitReply, inside its write: records `reply.usage` for the tenant when `committed`, and releases
// `reply.reservation_id` in every case.
Result<void> SettleReplyUsage(Database& db, int64_t tenant_id, const Reply& reply, bool committed);

}  // namespace parley::store::sqlite
