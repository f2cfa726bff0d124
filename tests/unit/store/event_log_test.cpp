// The event log of the knowledge store's writes on SQLite (document progress). The rest of the event log is tested on
// every backend (tests/backend/store/event_log_test.cpp).

#include "store/events.h"

#include "core/crypto.h"
#include "store/knowledge_store.h"
#include "store/sqlite/sqlite_store.h"
#include "support/temp_dir.h"

#include <gtest/gtest.h>

#include <future>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace parley::store::sqlite {
namespace {

constexpr int64_t kT0 = 1'800'000'000'000;

class EventLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SqliteOptions options;
    options.path = (dir_.path() / "parley.db").string();
    options.synchronous = "normal";
    store_ = SqliteStore::Open(options, box_).value();
    ASSERT_TRUE(store_->Migrate());
    acme_ = store_->CreateTenant("Acme", crypto::Sha256Hex("key-acme")).value().id;
  }

  std::vector<std::string> Types(int64_t tenant_id, int64_t after) {
    std::vector<std::string> types;
    for (const Event& event : store_->events().Read(tenant_id, after, 1000).value().events) {
      types.emplace_back(ToString(event.type));
    }
    return types;
  }

  testing::TempDir dir_{"parley-events"};
  crypto::SecretBox box_ = crypto::SecretBox::Create(std::string(32, 'k')).value();
  std::unique_ptr<SqliteStore> store_;
  int64_t acme_ = 0;
};

TEST_F(EventLogTest, DocumentProgressIsThrottledToTenthsOfTheWay) {
  KnowledgeStore& knowledge = store_->knowledge();
  const int64_t kb = knowledge.EnsureKnowledgeBase(acme_, "default").value().id;
  ASSERT_TRUE(knowledge.CreateDocument({acme_, kb, "faq.txt", "text/plain", "", "Opening hours: 9 to 5."}));
  auto job = knowledge.ClaimDocumentJob(kT0, 60'000, {}, 3).value();
  ASSERT_TRUE(job);
  const int64_t mark = store_->events().LastId(acme_).value();
  for (double progress : {0.05, 0.08, 0.15, 0.15, 0.19, 0.5}) {
    ASSERT_TRUE(knowledge.SetDocumentProgress(*job, progress, kT0 + 60'000));
  }
  EventRead read = store_->events().Read(acme_, mark, 100).value();
  ASSERT_EQ(read.events.size(), 2u);
  EXPECT_NE(read.events[0].data.find("\"progress\":0.15"), std::string::npos) << read.events[0].data;
  EXPECT_NE(read.events[1].data.find("\"progress\":0.5"), std::string::npos) << read.events[1].data;
  EXPECT_EQ(Types(acme_, 0).front(), "document.progress");
}

}  // namespace
}  // namespace parley::store::sqlite
