#include "store/sqlite/db.h"

#include "support/temp_dir.h"

#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <string>
#include <vector>

namespace parley::store::sqlite {
namespace {

class DatabaseTest : public ::testing::Test {
 protected:
  int64_t SelectValue(const char* sql) {
    auto stmt = db_->Prepare(sql).value();
    EXPECT_TRUE(stmt.Step().value());
    return stmt.Int(0);
  }

  testing::TempDir dir_{"parley-db"};
  std::unique_ptr<Database> db_ = Database::Open((dir_.path() / "db.sqlite").string(), {}).value();
};

TEST_F(DatabaseTest, TheSameSqlFromAnyBufferSharesOneStatement) {
  const size_t before = db_->CachedStatements();
  std::vector<std::string> buffers;  // Each alive at its own address, as SQL built at run time would be.
  for (int i = 0; i < 100; ++i) {
    buffers.push_back(std::string("SELECT 40 + 2 AS answer_to_everything"));
    EXPECT_EQ(SelectValue(buffers.back().c_str()), 42);
  }
  EXPECT_EQ(db_->CachedStatements(), before + 1);
}

TEST_F(DatabaseTest, ABufferReusedForOtherSqlGetsItsOwnStatement) {
  char sql[32] = "SELECT 1";
  EXPECT_EQ(SelectValue(sql), 1);
  std::strcpy(sql, "SELECT 2");  // Same address, other text: a cache keyed by address would answer 1.
  EXPECT_EQ(SelectValue(sql), 2);
}

TEST_F(DatabaseTest, SqlBuiltAtRunTimeCannotGrowTheCacheWithoutBound) {
  const size_t extra = 50;
  for (size_t i = 0; i < Database::kMaxCachedStatements + extra; ++i) {
    std::string sql = "SELECT " + std::to_string(i);
    EXPECT_EQ(SelectValue(sql.c_str()), static_cast<int64_t>(i));
  }
  EXPECT_EQ(db_->CachedStatements(), Database::kMaxCachedStatements);
  // Statements past the bound still run, and cached ones are still found.
  EXPECT_EQ(SelectValue("SELECT 7"), 7);
  EXPECT_EQ(SelectValue(("SELECT " + std::to_string(Database::kMaxCachedStatements + 1)).c_str()),
            static_cast<int64_t>(Database::kMaxCachedStatements + 1));
}

}  // namespace
}  // namespace parley::store::sqlite
