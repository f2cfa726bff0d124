#pragma once
// The SQLite backend of store::WebhookStore (migration 0021), private to the backend: writes go through the
// SqliteStore's writer thread, reads through its reader pool.

#include "store/webhook_store.h"

#include <memory>

namespace parley::store::sqlite {

class SqliteStore;

std::unique_ptr<WebhookStore> MakeSqliteWebhookStore(SqliteStore& store);

}  // namespace parley::store::sqlite
