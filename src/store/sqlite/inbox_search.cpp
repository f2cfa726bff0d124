#include "store/sqlite/inbox_search.h"

#include <algorithm>

namespace parley::store::sqlite {
namespace {

constexpr char kMessageMatches[] = "SELECT rowid >> 22 FROM messages_search WHERE messages_search MATCH ?1";
constexpr char kContactMatches[] = "SELECT rowid FROM contacts_search WHERE contacts_search MATCH ?1";
// More words than a person types; each one costs a look-up in the index.
constexpr size_t kMaxWords = 16;

bool IsSpace(char ch) { return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\f' || ch == '\v'; }

size_t CodePoints(std::string_view word) {
  return static_cast<size_t>(std::count_if(word.begin(), word.end(), [](char ch) { return (ch & 0xC0) != 0x80; }));
}

}  // namespace

std::optional<std::string> SearchQuery(std::string_view text) {
  std::vector<std::string_view> words;
  size_t i = 0;
  while (i < text.size() && words.size() < kMaxWords) {
    while (i < text.size() && IsSpace(text[i])) ++i;
    size_t start = i;
    while (i < text.size() && !IsSpace(text[i])) ++i;
    if (i > start) words.push_back(text.substr(start, i - start));
  }
  if (words.empty()) return std::nullopt;
  std::string query;
  for (size_t w = 0; w < words.size(); ++w) {
    if (w > 0) query += ' ';
    query += '"';
    for (char ch : words[w]) {
      if (ch == '"') query += '"';
      query += ch;
    }
    query += '"';
  }
  // A single character as a prefix would read most of the index; it is matched as a whole word.
  if (CodePoints(words.back()) >= 2) query += '*';
  return query;
}

bool SearchMatches::Contains(int64_t conversation_id, int64_t contact_id) const {
  return std::binary_search(conversation_ids.begin(), conversation_ids.end(), conversation_id) ||
         std::binary_search(contact_ids.begin(), contact_ids.end(), contact_id);
}

Result<SearchMatches> FindMatches(Database& db, const std::string& query) {
  SearchMatches matches;
  {
    // Keys come in increasing order, so a conversation's matching messages are consecutive.
    STORE_ASSIGN_OR_RETURN(auto select, db.Prepare(kMessageMatches));
    select.Bind(1, query);
    while (true) {
      STORE_ASSIGN_OR_RETURN(bool row, select.Step());
      if (!row) break;
      int64_t id = select.Int(0);
      if (matches.conversation_ids.empty() || matches.conversation_ids.back() != id) {
        matches.conversation_ids.push_back(id);
      }
    }
  }
  STORE_ASSIGN_OR_RETURN(matches.contact_ids, FindContactMatches(db, query));
  return matches;
}

Result<std::vector<int64_t>> FindContactMatches(Database& db, const std::string& query) {
  std::vector<int64_t> ids;
  STORE_ASSIGN_OR_RETURN(auto select, db.Prepare(kContactMatches));
  select.Bind(1, query);
  while (true) {
    STORE_ASSIGN_OR_RETURN(bool row, select.Step());
    if (!row) return ids;
    ids.push_back(select.Int(0));
  }
}

std::string JsonIds(const std::vector<int64_t>& ids) {
  std::string json = "[";
  for (int64_t id : ids) json += (json.size() > 1 ? "," : "") + std::to_string(id);
  return json + "]";
}

}  // namespace parley::store::sqlite
