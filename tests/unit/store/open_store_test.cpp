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
  for (const char* url : {"postgres://localhost/parley", "mysql://x", "sqlite://", "sqlite://:memory:", "parley.db"}) {
    auto store = OpenStore({url, "full"}, box_);
    ASSERT_FALSE(store) << url;
    EXPECT_EQ(store.error().code, ErrorCode::kInvalidArgument) << url;
  }
}

TEST_F(OpenStoreTest, RefusesABadSynchronousSetting) {
  auto store = OpenStore({"sqlite://" + (dir_ / "p.db").string(), "sometimes"}, box_);
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().code, ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace parley::store
