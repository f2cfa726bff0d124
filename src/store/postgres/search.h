#pragma once
// Inbox search on PostgreSQL, private to the backend: what a person types in a search box, as the arguments of
// migration 0002's search_query(typed, last_is_prefix), which matches the GIN indexes on search_words() of
// messages.text and of a contact's name and platform id. Indexing is synchronous (the indexes are written with the
// row), so every committed message is searchable at once (docs/scaling.md).

#include <optional>
#include <string>
#include <string_view>

namespace parley::store::postgres {

// A condition on a message `m` (a row of messages) that it matches the search in $N and $N+1 (SearchText's fields).
#define PG_MESSAGE_MATCHES(typed, prefix) \
  "search_words(m.text) @@ search_query(" typed "::text, " prefix "::boolean) AND m.status <> 'deleted'"
// The same for a contact `ct`: its name or platform id.
#define PG_CONTACT_MATCHES(typed, prefix) \
  "search_words(ct.name || ' ' || ct.platform_id) @@ search_query(" typed "::text, " prefix "::boolean)"

struct SearchText {
  std::string typed;    //!< The words a search looks for: at most 16, space-separated.
  bool last_is_prefix;  //!< Whether the last one matches as a prefix (it has two characters or more).
};

// The search for what a person typed, as SQLite's SearchQuery reads it (sqlite/inbox_search.h); nullopt when `text`
// has no word.
std::optional<SearchText> ReadSearchText(std::string_view text);

}  // namespace parley::store::postgres
