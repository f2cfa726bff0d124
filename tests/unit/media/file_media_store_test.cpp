#include "media/media_store.h"

#include "core/crypto.h"
#include "support/temp_dir.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <thread>

namespace parley::media {
namespace {

namespace fs = std::filesystem;

class FileMediaStoreTest : public ::testing::Test {
 protected:
  parley::testing::TempDir dir_{"parley-media"};
  const fs::path root_ = dir_.path() / "media";
  std::unique_ptr<MediaStore> files_ = MakeFileMediaStore(root_.string());
};

TEST_F(FileMediaStoreTest, FilesAreAddressedByTheirContentPerTenant) {
  auto key = files_->Put(1, "a photo's bytes").value();
  EXPECT_EQ(key, crypto::Sha256Hex("a photo's bytes"));
  EXPECT_EQ(files_->Put(1, "a photo's bytes").value(), key);  // Kept once.
  EXPECT_TRUE(fs::exists(root_ / "1" / key.substr(0, 2) / key));
  EXPECT_EQ(files_->Get(1, key).value(), "a photo's bytes");
  // Another tenant has no such file, even with the same bytes stored on its side.
  EXPECT_EQ(files_->Get(2, key).error().code, ErrorCode::kNotFound);
  ASSERT_EQ(files_->Put(2, "a photo's bytes").value(), key);
  EXPECT_EQ(files_->UsageBytes(1).value(), 15);
  EXPECT_EQ(files_->UsageBytes(3).value(), 0);
  EXPECT_EQ(files_->Tenants().value(), (std::vector<int64_t>{1, 2}));
  ASSERT_TRUE(files_->Remove(1, key));
  EXPECT_EQ(files_->Get(1, key).error().code, ErrorCode::kNotFound);
  EXPECT_TRUE(files_->Remove(1, key));  // Already gone.
  EXPECT_EQ(files_->Get(2, key).value(), "a photo's bytes");
}

TEST_F(FileMediaStoreTest, KeysThatAreNotKeysReachNothing) {
  ASSERT_TRUE(files_->Put(1, "x"));
  EXPECT_EQ(files_->Get(1, "../../etc/passwd").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(files_->Get(1, std::string(64, 'g')).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(files_->Get(1, "").error().code, ErrorCode::kNotFound);
}

TEST_F(FileMediaStoreTest, UnreferencedFilesGoOnceOlderThanTheGrace) {
  auto kept = files_->Put(1, "kept").value();
  auto orphan = files_->Put(1, "orphan").value();
  const auto now = std::chrono::system_clock::now();
  // Written just now: younger than any grace, so kept even though nothing names it.
  EXPECT_EQ(files_->RemoveUnreferenced(1, {kept}, now - std::chrono::minutes(10)).value(), 0);
  EXPECT_EQ(files_->RemoveUnreferenced(1, {kept}, now + std::chrono::seconds(1)).value(), 1);
  EXPECT_TRUE(files_->Get(1, kept));
  EXPECT_FALSE(files_->Get(1, orphan));
  EXPECT_EQ(files_->UsageBytes(1).value(), 4);
}

}  // namespace
}  // namespace parley::media
