#pragma once
// How the SQLite backend reads a user, shared by the files of the backend that return users (access, team):
// the columns to select and the function that turns such a row into a User.

#include "store/access_store.h"
#include "store/sqlite/db.h"

#define PARLEY_USER_COLUMNS \
  "id, tenant_id, email, name, role, password_hash, created_at, last_login_at, notify_by_email, language"

namespace parley::store::sqlite {

// A user of the columns PARLEY_USER_COLUMNS, in that order.
User ReadUser(const Statement& row);

}  // namespace parley::store::sqlite
