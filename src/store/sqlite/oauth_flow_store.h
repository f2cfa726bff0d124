#pragma once
// The SQLite backend of store::OAuthFlowStore (migration 0036), private to the backend.

#include "store/oauth_flow_store.h"

#include <memory>

namespace parley::store::sqlite {

class SqliteStore;

std::unique_ptr<OAuthFlowStore> MakeSqliteOAuthFlowStore(SqliteStore& store);

}  // namespace parley::store::sqlite
