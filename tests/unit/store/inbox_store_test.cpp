// The inbox's full-text search on SQLite (accents, case, the prefix being typed, contacts' names and ids, notes, tenant
// isolation, unsent messages). The rest of the inbox is tested on every backend (tests/backend/store/inbox_test.cpp).

#include "store/inbox_store.h"
#include "core/crypto.h"
#include "store/access_store.h"
#include "store/sqlite/inbox_search.h"
#include "store/sqlite/sqlite_store.h"
#include "unit/store/store_fixture.h"

#include <gtest/gtest.h>

#include <future>
#include <string>
#include <vector>

namespace parley::store::sqlite {
namespace {

constexpr int64_t kT0 = 1'800'000'000'000;
class InboxStoreTest : public StoreFixture {
 protected:
  void SetUp() override { AddChannels(); }

  // A customer message through the webhook path; returns its conversation.
  int64_t Customer(const std::string& account, const std::string& contact, const std::string& text,
                   const std::string& name = "", MessageType type = MessageType::kText) {
    const Platform platform = account == kIgAccount ? Platform::kInstagram : Platform::kWhatsApp;
    IngestRequest request =
        CustomerMessage(platform, account, "mid." + std::to_string(++next_mid_), contact, text, now_, name);
    request.messages[0].message.type = type;
    request.messages[0].answerable = type != MessageType::kReaction;
    now_ += 1000;
    auto outcome = IngestNow(std::move(request));
    EXPECT_TRUE(outcome);
    if (!outcome || outcome->pending.empty()) {
      // Not pending (a person holds it, or a reaction): find it by its contact.
      for (const auto& c : store_->ListConversations(TenantOf(account), std::nullopt, 500).value().data) {
        if (c.contact.platform_id == contact) return c.id;
      }
      return 0;
    }
    return outcome->pending[0].conversation_id;
  }

  int64_t TenantOf(const std::string& account) const { return account == kOtherAccount ? globex_ : acme_; }

  std::vector<int64_t> Search(const std::string& text, int64_t tenant = 0) {
    ConversationFilter filter;
    filter.text = text;
    return Ids(filter, tenant);
  }

  std::vector<int64_t> Ids(const ConversationFilter& filter, int64_t tenant = 0) {
    std::vector<int64_t> ids;
    // Messages are indexed for search in the background; the test searches at once.
    if (filter.text) EXPECT_TRUE(store_->inbox().FlushSearchIndex());
    auto page = store_->ListConversations(tenant ? tenant : acme_, filter, std::nullopt, 50);
    EXPECT_TRUE(page) << page.error().message;
    if (page) {
      for (const auto& c : page->data) ids.push_back(c.id);
    }
    return ids;
  }

  int64_t now_ = kT0;
  int next_mid_ = 0;
};

TEST(SearchQueryTest, QuotesEveryWordAndTakesTheLastAsAPrefix) {
  EXPECT_EQ(SearchQuery("  gâteau  choc "), R"("gâteau" "choc"*)");
  EXPECT_EQ(SearchQuery(R"(say "hi" OR x)"), R"("say" """hi""" "OR" "x")");  // x: one character, a whole word
  EXPECT_EQ(SearchQuery("é"), R"("é")");
  EXPECT_EQ(SearchQuery(" \t "), std::nullopt);
}

TEST_F(InboxStoreTest, SearchFoldsAccentsAndCaseAndMatchesTheWordBeingTyped) {
  int64_t cake = Customer(kWaAccount, "33600000001", "Je voudrais un GÂTEAU d'anniversaire");
  int64_t bread = Customer(kWaAccount, "33600000002", "Avez-vous du pain sans gluten ?");
  EXPECT_EQ(Search("gateau"), (std::vector<int64_t>{cake}));
  EXPECT_EQ(Search("Gâteau"), (std::vector<int64_t>{cake}));
  EXPECT_EQ(Search("anniv"), (std::vector<int64_t>{cake}));      // the word being typed
  EXPECT_EQ(Search("pain glu"), (std::vector<int64_t>{bread}));  // every word, the last as a prefix
  EXPECT_TRUE(Search("pain gateau").empty());                    // every word in one message
  EXPECT_TRUE(Search("ateau").empty());                          // words, not substrings
  EXPECT_TRUE(Search("%").empty());
  EXPECT_TRUE(Search("\"OR\" AND NOT *").empty());  // query syntax is text
}

TEST_F(InboxStoreTest, SearchFindsContactsByNameAndPlatformId) {
  int64_t zoe = Customer(kWaAccount, "33611112222", "Hello", "Zoé Lefèbvre");
  int64_t other = Customer(kIgAccount, "igsid-77", "Hi there", "Marc");
  EXPECT_EQ(Search("zoe"), (std::vector<int64_t>{zoe}));
  EXPECT_EQ(Search("LEFEB"), (std::vector<int64_t>{zoe}));
  EXPECT_EQ(Search("3361111"), (std::vector<int64_t>{zoe}));
  EXPECT_EQ(Search("igsid-77"), (std::vector<int64_t>{other}));
  // A new profile name replaces the old one in the index.
  Customer(kWaAccount, "33611112222", "Still me", "Zoé Martin");
  EXPECT_TRUE(Search("lefebvre").empty());
  EXPECT_EQ(Search("martin"), (std::vector<int64_t>{zoe}));
}

TEST_F(InboxStoreTest, SearchStaysInItsTenantAndOrdersByActivity) {
  int64_t first = Customer(kWaAccount, "33600000001", "Where is my refund?");
  int64_t theirs = Customer(kOtherAccount, "33600000001", "Refund please");
  int64_t second = Customer(kIgAccount, "igsid-1", "refund status");
  EXPECT_EQ(Search("refund"), (std::vector<int64_t>{second, first}));
  EXPECT_EQ(Search("refund", globex_), (std::vector<int64_t>{theirs}));
  Customer(kWaAccount, "33600000001", "any news?");
  EXPECT_EQ(Search("refund"), (std::vector<int64_t>{first, second}));
}

TEST_F(InboxStoreTest, SearchPagesThroughManyMatchesWithTheCursor) {
  // More matches than a search looks up by id: it walks the conversations by activity instead.
  IngestRequest request;
  request.platform = Platform::kWhatsApp;
  request.received_at_ms = now_;
  for (int i = 0; i < 3100; ++i) {
    InboundItem item;
    item.message.platform = Platform::kWhatsApp;
    item.message.account_id = kWaAccount;
    item.message.platform_message_id = "bulk." + std::to_string(i);
    item.message.contact_id = "3360" + std::to_string(1000000 + i);
    item.message.timestamp_ms = now_;
    item.message.text = "order " + std::to_string(i);
    request.messages.push_back(std::move(item));
  }
  auto outcome = IngestNow(std::move(request)).value();
  ASSERT_EQ(outcome.pending.size(), 3100u);
  std::vector<int64_t> all;  // Same activity time: newest id first.
  for (const auto& pending : outcome.pending) all.insert(all.begin(), pending.conversation_id);
  now_ += 1000;
  Customer(kWaAccount, "33699999999", "nothing to see");
  ConversationFilter filter;
  filter.text = "ord";
  ASSERT_TRUE(store_->inbox().FlushSearchIndex());
  std::vector<int64_t> seen;
  std::optional<std::string> cursor;
  do {
    auto page = store_->ListConversations(acme_, filter, cursor, 500).value();
    for (const auto& c : page.data) seen.push_back(c.id);
    cursor = page.next_cursor;
  } while (cursor);
  EXPECT_EQ(seen, all);
  filter.text = "order 3099";
  EXPECT_EQ(Ids(filter), (std::vector<int64_t>{all.front()}));
}

TEST_F(InboxStoreTest, UnsentMessagesLeaveTheIndex) {
  int64_t conversation = Customer(kIgAccount, "igsid-1", "my secret code 4417");
  ASSERT_EQ(Search("4417"), (std::vector<int64_t>{conversation}));
  IngestRequest request;
  request.platform = Platform::kInstagram;
  request.received_at_ms = now_;
  request.deletions.push_back({Platform::kInstagram, kIgAccount, "mid.1", "igsid-1"});
  ASSERT_TRUE(IngestNow(std::move(request)));
  EXPECT_TRUE(Search("4417").empty());
}

TEST_F(InboxStoreTest, TheTeamFindsItsNotes) {
  int64_t conversation = Customer(kWaAccount, "33600000001", "My parcel is late");
  ASSERT_TRUE(store_->inbox().AddNote(acme_, conversation, "Checked: courier strike", "user:7", 7, now_ + 5));
  EXPECT_EQ(Search("courier"), (std::vector<int64_t>{conversation}));
}

}  // namespace
}  // namespace parley::store::sqlite
