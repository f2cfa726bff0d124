#pragma once
// Inbox search on SQLite, private to the backend: what a person types in the inbox's search box, looked up in the
// full-text indexes of migration 0017 (messages_search over message texts, contacts_search over contacts' names
// and platform ids). The indexes are shared by every tenant; the caller keeps the tenant's conversations among the
// matches (inbox.cpp, SqliteStore::ListConversations).

#include "core/error.h"
#include "store/sqlite/db.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace parley::store::sqlite {

// The FTS5 query for a person's search text: every word must match (each one quoted, so punctuation is never
// query syntax), the last one as a prefix when it has two characters or more. nullopt when `text` has no word.
std::optional<std::string> SearchQuery(std::string_view text);

// What a search matches, across tenants.
struct SearchMatches {
  std::vector<int64_t> conversation_ids;  //!< Conversations with a matching message; sorted, unique.
  std::vector<int64_t> contact_ids;       //!< Contacts whose name or id matches; sorted, unique.

  bool Contains(int64_t conversation_id, int64_t contact_id) const;
};

// Runs `query` (from SearchQuery) against both indexes.
Result<SearchMatches> FindMatches(Database& db, const std::string& query);
// Runs `query` against the contacts' index only (SearchMatches::contact_ids).
Result<std::vector<int64_t>> FindContactMatches(Database& db, const std::string& query);

// A JSON array of ids, for statements that take a list through json_each.
std::string JsonIds(const std::vector<int64_t>& ids);

}  // namespace parley::store::sqlite
