#pragma once
// The SQLite backend of store::MediaRecords (migration 0026), private to the backend: writes go through the
// SqliteStore's writer thread, reads through its reader pool.

#include "store/media_records.h"

#include <memory>

namespace parley::store::sqlite {

class SqliteStore;

std::unique_ptr<MediaRecords> MakeSqliteMediaRecords(SqliteStore& store);

}  // namespace parley::store::sqlite
