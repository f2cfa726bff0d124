// The SQLite backend's search query (sqlite/inbox_search.h): what a person types, as an FTS5 query. The inbox's
// search itself is tested on every backend (tests/backend/store/inbox_test.cpp).

#include "store/sqlite/inbox_search.h"

#include <gtest/gtest.h>

namespace parley::store::sqlite {
namespace {

TEST(SearchQueryTest, QuotesEveryWordAndTakesTheLastAsAPrefix) {
  EXPECT_EQ(SearchQuery("  gâteau  choc "), R"("gâteau" "choc"*)");
  EXPECT_EQ(SearchQuery(R"(say "hi" OR x)"), R"("say" """hi""" "OR" "x")");  // x: one character, a whole word
  EXPECT_EQ(SearchQuery("é"), R"("é")");
  EXPECT_EQ(SearchQuery(" \t "), std::nullopt);
}

}  // namespace
}  // namespace parley::store::sqlite
