// WhatsApp templates in the store: a channel's WABA id, a person's template reply queued past the 24-hour window
// (where free text is refused), and the outbox handing the template to the sender.

#include "core/crypto.h"
#include "support/platform_rules.h"

#include "store/sqlite/sqlite_store.h"
#include "support/temp_dir.h"

#include <gtest/gtest.h>

#include <future>

namespace parley::store::sqlite {
namespace {

constexpr char kPhone[] = "106540352240077";
constexpr int64_t kT0 = 1'800'000'000'000;
constexpr int64_t kHour = 3'600'000;

class WhatsAppTemplateStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SqliteOptions options;
    options.path = (dir_.path() / "parley.db").string();
    options.synchronous = "normal";
    store_ = SqliteStore::Open(options, box_).value();
    ASSERT_TRUE(store_->Migrate());
    tenant_ = store_->CreateTenant("Acme", crypto::Sha256Hex("key-acme")).value().id;
    NewChannel channel{tenant_, Platform("whatsapp"), kPhone, "EAAG-token", "Front desk", {}, "102290129340398"};
    channel_ = store_->AddChannel(channel).value();
  }

  // A customer's message received at `now`; its conversation.
  int64_t Customer(int64_t now) {
    IngestRequest request;
    request.platform = Platform("whatsapp");
    request.received_at_ms = now;
    InboundItem item;
    item.message.platform = Platform("whatsapp");
    item.message.account_id = kPhone;
    item.message.platform_message_id = "wamid.1";
    item.message.contact_id = "16505551234";
    item.message.timestamp_ms = now;
    item.message.text = "Is my order ready?";
    request.messages.push_back(item);
    std::promise<Result<IngestOutcome>> promise;
    store_->Ingest(std::move(request), [&](Result<IngestOutcome> r) { promise.set_value(std::move(r)); });
    auto outcome = promise.get_future().get();
    EXPECT_TRUE(outcome && outcome->pending.size() == 1u);
    return outcome && !outcome->pending.empty() ? outcome->pending[0].conversation_id : 0;
  }

  testing::TempDir dir_{"parley-templates"};
  crypto::SecretBox box_ = crypto::SecretBox::Create(std::string(32, 'k')).value();
  std::unique_ptr<SqliteStore> store_;
  int64_t tenant_ = 0;
  Channel channel_;
};

TEST_F(WhatsAppTemplateStoreTest, TheChannelKeepsItsBusinessAccountId) {
  EXPECT_EQ(channel_.waba_id, "102290129340398");
  EXPECT_EQ(store_->GetChannel(tenant_, channel_.id)->waba_id, "102290129340398");
  ChannelUpdate label;
  label.display_name = "Shop";
  EXPECT_EQ(store_->UpdateChannel(tenant_, channel_.id, label)->waba_id, "102290129340398") << "left as it is";
  ChannelUpdate cleared;
  cleared.waba_id = "";
  EXPECT_EQ(store_->UpdateChannel(tenant_, channel_.id, cleared)->waba_id, "");

  // Connected again after removal without one: the id it had comes back with it.
  ChannelUpdate set;
  set.waba_id = "555";
  ASSERT_TRUE(store_->UpdateChannel(tenant_, channel_.id, set));
  ASSERT_TRUE(store_->RemoveChannel(tenant_, channel_.id));
  auto revived = store_->AddChannel({tenant_, Platform("whatsapp"), kPhone, "EAAG-token-2", "", {}, ""});
  ASSERT_TRUE(revived);
  EXPECT_EQ(revived->id, channel_.id);
  EXPECT_EQ(revived->waba_id, "555");
}

TEST_F(WhatsAppTemplateStoreTest, PastTheWindowOnlyATemplateIsQueuedAndTheOutboxCarriesIt) {
  int64_t conversation = Customer(kT0);
  const int64_t late = kT0 + 25 * kHour;
  auto text = store_->QueuePersonReply(tenant_, conversation, "Your order is ready", "user:1", 0, late,
                                       testing::kWhatsAppWindow);
  ASSERT_FALSE(text);
  EXPECT_EQ(text.error().code, ErrorCode::kConflict);
  EXPECT_NE(text.error().message.find("template"), std::string::npos);

  TemplateMessage order{"order_update", "en_US", {"Ana", "A-17"}, {}};
  auto queued = store_->QueuePersonReply(tenant_, conversation, "Hi Ana, your order A-17 is ready.", "user:1", 0, late,
                                         testing::kWhatsAppWindow, order);
  ASSERT_TRUE(queued) << queued.error().message;
  ASSERT_TRUE(queued->draft.whatsapp_template);
  EXPECT_EQ(queued->draft.whatsapp_template->name, "order_update");
  EXPECT_EQ(queued->draft.whatsapp_template->parameters, order.parameters);
  EXPECT_EQ(queued->draft.text, "Hi Ana, your order A-17 is ready.");

  // Sent from then on (a template needs no window), and retried for a day after it was queued.
  auto attempt = store_->LeaseNextOutbound(conversation, late + 1, 30'000);
  ASSERT_TRUE(attempt && attempt->lease) << (attempt ? "nothing leased" : attempt.error().message);
  EXPECT_EQ(attempt->lease->window_ends_at_ms, late + 24 * kHour);
  ASSERT_TRUE(attempt->lease->message.draft.whatsapp_template);
  EXPECT_EQ(attempt->lease->message.draft.whatsapp_template->language, "en_US");

  auto thread = store_->ListMessages(tenant_, conversation, std::nullopt, 10).value().data;
  ASSERT_EQ(thread.size(), 2u);
  EXPECT_EQ(thread[1].text, "Hi Ana, your order A-17 is ready.");
  EXPECT_EQ(thread[1].details.at("template"), TemplateJson(order));
}

TEST_F(WhatsAppTemplateStoreTest, InsideTheWindowTextGoesWithoutATemplate) {
  int64_t conversation = Customer(kT0);
  auto queued =
      store_->QueuePersonReply(tenant_, conversation, "Ready!", "user:1", 0, kT0 + kHour, testing::kWhatsAppWindow);
  ASSERT_TRUE(queued);
  EXPECT_FALSE(queued->draft.whatsapp_template);
}

}  // namespace
}  // namespace parley::store::sqlite
