#pragma once
// The SQLite backend of store::TenantStore (migration 0024), private to the backend.

#include "store/tenant_store.h"

#include <memory>

namespace parley::store::sqlite {

class SqliteStore;

std::unique_ptr<TenantStore> MakeSqliteTenantStore(SqliteStore& store);

}  // namespace parley::store::sqlite
