// The contact list's search on SQLite (names and numbers, accents folded, prefixes; an erased contact is no longer
// found). The rest of the contact store is tested on every backend (tests/backend/store/contact_test.cpp).

#include "store/contact_store.h"
#include "core/crypto.h"
#include "store/access_store.h"
#include "store/events.h"
#include "store/inbox_store.h"
#include "store/sqlite/sqlite_store.h"
#include "unit/store/store_fixture.h"

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <future>
#include <set>
#include <string>
#include <vector>

namespace parley::store::sqlite {
namespace {

constexpr int64_t kT0 = 1'800'000'000'000;

class ContactStoreTest : public StoreFixture {
 protected:
  void SetUp() override { AddChannels(); }

  // A customer message through the webhook path at `now_` (then a second later); returns its conversation.
  int64_t Customer(const std::string& account, const std::string& contact, const std::string& text,
                   const std::string& name = "") {
    const Platform platform = account == kIgAccount ? Platform::kInstagram : Platform::kWhatsApp;
    auto outcome =
        IngestNow(CustomerMessage(platform, account, "mid." + std::to_string(++next_mid_), contact, text, now_, name));
    now_ += 1000;
    EXPECT_TRUE(outcome);
    for (int64_t tenant : {acme_, globex_}) {
      for (const auto& c : store_->ListConversations(tenant, std::nullopt, 500).value().data) {
        if (c.contact.platform_id == contact && c.status == "open") return c.id;
      }
    }
    return 0;
  }

  int64_t ContactOf(const std::string& platform_id, int64_t tenant = 0) {
    ContactFilter filter;
    filter.text = platform_id;
    auto page = store_->contacts().ListContacts(tenant ? tenant : acme_, filter, std::nullopt, 10).value();
    return page.data.empty() ? 0 : page.data[0].id;
  }

  std::vector<std::string> Listed(const ContactFilter& filter = {}) {
    std::vector<std::string> ids;
    auto page = store_->contacts().ListContacts(acme_, filter, std::nullopt, 50);
    EXPECT_TRUE(page) << page.error().message;
    if (page) {
      for (const auto& c : page->data) ids.push_back(c.platform_id);
    }
    return ids;
  }

  int64_t now_ = kT0;
  int next_mid_ = 0;
};

TEST_F(ContactStoreTest, SearchChannelAndPlatformNarrowTheList) {
  Customer(kWaAccount, "33600000001", "hello", "Ana Lima");
  Customer(kWaAccount, "33600000002", "hi", "Bruno");
  Customer(kIgAccount, "igsid-3", "salut", "Chloé Ana");
  Customer(kOtherAccount, "33600000009", "other", "Ana Other");
  ContactFilter search;
  search.text = "ana";
  EXPECT_EQ(Listed(search), (std::vector<std::string>{"igsid-3", "33600000001"}));
  search.text = "chloe";  // Accents folded.
  EXPECT_EQ(Listed(search), (std::vector<std::string>{"igsid-3"}));
  search.text = "3360000000";  // A prefix of the number.
  EXPECT_EQ(Listed(search), (std::vector<std::string>{"33600000002", "33600000001"}));
  search.text = "nobody";
  EXPECT_TRUE(Listed(search).empty());
  search.text = "   ";  // Nothing to search for: everyone.
  EXPECT_EQ(Listed(search).size(), 3u);
  ContactFilter instagram;
  instagram.platform = Platform::kInstagram;
  EXPECT_EQ(Listed(instagram), (std::vector<std::string>{"igsid-3"}));
  ContactFilter channel;
  channel.channel_id = wa_channel_;
  EXPECT_EQ(Listed(channel), (std::vector<std::string>{"33600000002", "33600000001"}));
}

TEST_F(ContactStoreTest, AnErasedContactIsNoLongerFound) {
  Customer(kWaAccount, "33600000001", "I want a cake", "Ana Lima");
  const int64_t ana = ContactOf("33600000001");
  ASSERT_TRUE(store_->contacts().EraseContact(acme_, ana, "user:7", now_));
  ContactFilter search;
  search.text = "Lima";
  EXPECT_TRUE(Listed(search).empty());
}

}  // namespace
}  // namespace parley::store::sqlite
