#pragma once
// The SQLite backend of store::KnowledgeStore, private to the backend: writes go through the SqliteStore's writer
// thread (one group commit for webhooks and knowledge alike), reads through its reader pool.

#include "store/knowledge_store.h"

#include <memory>

namespace parley::store::sqlite {

class SqliteStore;

std::unique_ptr<KnowledgeStore> MakeSqliteKnowledgeStore(SqliteStore& store);

}  // namespace parley::store::sqlite
