#include "store/store.h"

#include "core/crypto.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

namespace parley::store {
namespace {

class OpenStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (std::filesystem::temp_directory_path() / "parley-open-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  std::filesystem::path dir_;
  crypto::SecretBox box_ = crypto::SecretBox::Create(std::string(32, 'k')).value();
};

TEST_F(OpenStoreTest, SqliteUrlWithAbsolutePathCreatesTheDirectory) {
  std::filesystem::path file = dir_ / "nested" / "deeper" / "parley.db";
  auto store = OpenStore({"sqlite://" + file.string(), "normal"}, box_);  // sqlite:///abs/path
  ASSERT_TRUE(store) << store.error().detail;
  ASSERT_TRUE((*store)->Migrate());
  EXPECT_TRUE(std::filesystem::exists(file));
  EXPECT_EQ((*store)->Health().backend, "sqlite");
  (*store)->Close();
}

TEST_F(OpenStoreTest, RefusesOtherSchemesAndEmptyPaths) {
  for (const char* url : {"mysql://x", "sqlite://", "sqlite://:memory:", "parley.db", "postgresql:/x"}) {
    auto store = OpenStore({url, "full"}, box_);
    ASSERT_FALSE(store) << url;
    EXPECT_EQ(store.error().code, ErrorCode::kInvalidArgument) << url;
    auto status = ReadMigrationStatus(url);
    ASSERT_FALSE(status) << url;
    EXPECT_EQ(status.error().code, ErrorCode::kInvalidArgument) << url;
  }
}

// Both of libpq's schemes reach the PostgreSQL backend, which connects at once: a closed port is unavailable.
TEST_F(OpenStoreTest, PostgresUrlsGoToThePostgresBackend) {
  for (const char* url : {"postgresql://parley@127.0.0.1:1/parley", "postgres://parley@127.0.0.1:1/parley"}) {
    auto store = OpenStore({url}, box_);
    ASSERT_FALSE(store) << url;
    EXPECT_EQ(store.error().code, ErrorCode::kUnavailable) << url;
    EXPECT_NE(store.error().message.find("PostgreSQL"), std::string::npos) << store.error().message;
  }
}

TEST_F(OpenStoreTest, MigrationStatusReadsASqliteFileWithoutCreatingIt) {
  const std::filesystem::path file = dir_ / "status.db";
  const std::string url = "sqlite://" + file.string();
  auto fresh = ReadMigrationStatus(url);
  ASSERT_TRUE(fresh) << fresh.error().message;
  ASSERT_FALSE(fresh->empty());
  for (const auto& migration : *fresh) EXPECT_FALSE(migration.applied_at_ms) << migration.name;
  EXPECT_FALSE(std::filesystem::exists(file));

  auto store = OpenStore({url, "normal"}, box_);
  ASSERT_TRUE(store);
  ASSERT_TRUE((*store)->Migrate());
  (*store)->Close();
  auto migrated = ReadMigrationStatus(url);
  ASSERT_TRUE(migrated);
  EXPECT_EQ(migrated->size(), fresh->size());
  for (const auto& migration : *migrated) {
    EXPECT_TRUE(migration.applied_at_ms) << migration.name;
    EXPECT_TRUE(migration.known) << migration.name;
  }
}

TEST_F(OpenStoreTest, RefusesABadSynchronousSetting) {
  auto store = OpenStore({"sqlite://" + (dir_ / "p.db").string(), "sometimes"}, box_);
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().code, ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace parley::store
