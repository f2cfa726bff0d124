#pragma once
// The analytics tests' fixture, on top of StoreTest: Acme's Instagram channel and Globex's WhatsApp one besides Acme's
// WhatsApp channel, a customer's message, the bot's and a person's replies, rollups run until caught up, and the
// figures over the two days around kSlotT0.

#include "store_test.h"
#include "support/platform_rules.h"

#include "store/analytics_store.h"
#include "store/contact_store.h"

#include <atomic>
#include <chrono>
#include <thread>

namespace parley::store::testing {

inline constexpr int64_t kSlotT0 = kT0 - kT0 % kAnalyticsSlotMs;  // A slot's start.
inline constexpr int64_t kS = 1000;
inline constexpr char kIgAccount[] = "ig-1";         //!< Acme's Instagram account.
inline constexpr char kOtherAccount[] = "wa-other";  //!< Globex's WhatsApp number.

class AnalyticsStoreTest : public StoreTest {
 protected:
  AnalyticsStoreTest() {
    ig_channel_ = store_->AddChannel({tenant_.id, Platform("instagram"), kIgAccount, "t"}).value().id;
    const int64_t globex = store_->CreateTenant("Globex", crypto::Sha256Hex("key-globex")).value().id;
    store_->AddChannel({globex, Platform("whatsapp"), kOtherAccount, "t"}).value();
  }

  // A customer message at `at`, through `store` (the test's by default); returns its conversation.
  int64_t Customer(const std::string& account, const std::string& contact, int64_t at, Store* store = nullptr) {
    const Platform platform = account == kIgAccount ? Platform("instagram") : Platform("whatsapp");
    IngestRequest request = Request(at, {Inbound(Id("mid.", ++next_mid_), contact, "hello", account)});
    request.platform = platform;
    request.messages[0].message.platform = platform;
    request.messages[0].message.timestamp_ms = at;
    std::promise<Result<IngestOutcome>> done;
    (store ? store : store_)->Ingest(std::move(request), [&](Result<IngestOutcome> r) {
      done.set_value(std::move(r));
    });
    auto outcome = done.get_future().get();
    EXPECT_TRUE(outcome && !outcome->pending.empty());
    return outcome && !outcome->pending.empty() ? outcome->pending[0].conversation_id : 0;
  }

  // The bot's reply at `at`, handing off with `reason` when set.
  void Bot(int64_t conversation, int64_t at, std::optional<Reason> hand_off = std::nullopt, int64_t credits = 1) {
    auto attempt = store_->ClaimConversation(conversation, at, 30 * kS);
    ASSERT_TRUE(attempt && attempt->claim);
    Reply reply;
    reply.messages.push_back(OutboundDraft{MessageType::kText, "Our opening hours are 9 to 5.", ""});
    reply.decision = hand_off ? Decision::kEscalate : Decision::kAutoReply;
    reply.reason = hand_off.value_or(Reason::kAnswered);
    reply.hand_off = hand_off.has_value();
    reply.usage = Usage{.day = "2027-01-15", .ai_replies = 1, .credits = credits};
    ASSERT_EQ(store_->CommitReply(*attempt->claim, reply, at, nullptr).value(), CommitResult::kCommitted);
  }

  void Person(int64_t conversation, int64_t at) {
    const Platform platform = store_->GetConversation(tenant_.id, conversation).value().platform;
    ASSERT_TRUE(store_->QueuePersonReply(tenant_.id, conversation, "I'm on it", "user:1", 0, at,
                                         parley::testing::WindowOf(platform)));
  }

  // Acme's figures over the day before kSlotT0 and the day after, on `channel` or all of them.
  AnalyticsPeriod All(std::optional<int64_t> channel = std::nullopt) {
    auto periods = store_->analytics().Query(
        {tenant_.id, {AnalyticsSlotOf(kSlotT0 - 86'400'000), AnalyticsSlotOf(kSlotT0 + 86'400'000)}, channel});
    EXPECT_TRUE(periods) << periods.error().message;
    return periods ? periods->at(0) : AnalyticsPeriod{};
  }

  // Rolls up `max_rows` rows of each source at a time until a rollup reads nothing and, with `all_readable`, no row
  // is held back: on PostgreSQL a rollup leaves the rows of transactions newer than one still running on the server
  // (another test's, or one the test holds open) for a later one.
  void RollUp(int max_rows = 1000, bool all_readable = true) {
    for (int i = 0; i < 1000; ++i) {
      auto read = store_->analytics().Rollup(max_rows);
      ASSERT_TRUE(read) << read.error().message << " " << read.error().detail;
      if (*read > 0) continue;
      if (!all_readable || HeldBack() == 0) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    FAIL() << "the rollup never caught up";
  }

  // Rows past the PostgreSQL rollup's cursors (0 on SQLite, whose rollup holds nothing back).
  int64_t HeldBack() {
    if (GetParam() != Backend::kPostgres) return 0;
    int64_t rows = 0;
    for (const char* source : {"conversations", "support_items", "messages"}) {
      rows += Count(std::string("SELECT COUNT(*) FROM ") + source + " s JOIN analytics_cursors k ON k.source = '" +
                    source + "' WHERE (s.feed_xid, s.id) > (k.last_xid, k.last_id)");
    }
    return rows;
  }

  int64_t ig_channel_ = 0;
  std::atomic<int> next_mid_{0};  // Customer() is called from several threads.
};

}  // namespace parley::store::testing
