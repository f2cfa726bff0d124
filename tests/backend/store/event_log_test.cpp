// The store's event log on every backend (store/events.h): every change of the inbox appends its event in the
// change's transaction, with ids counting per tenant, read back with the rows they name; a failed write appends and
// announces nothing; pruning keeps the log bounded without ever giving an id twice; a reader that fell behind the log
// is told so.

#include "store_test.h"
#include "support/platform_rules.h"

#include "store/events.h"
#include "store/inbox_store.h"

namespace parley::store::testing {
namespace {

constexpr char kPhoneAcme[] = "phone-acme";
constexpr char kPhoneGlobex[] = "phone-globex";

class EventLogTest : public StoreTest {
 protected:
  EventLogTest() {
    globex_ = store_->CreateTenant("Globex", crypto::Sha256Hex("key-globex")).value().id;
    store_->AddChannel({acme_, Platform("whatsapp"), kPhoneAcme, "token"}).value();
    store_->AddChannel({globex_, Platform("whatsapp"), kPhoneGlobex, "token"}).value();
  }

  static IngestRequest Message(const std::string& account, const std::string& contact, const std::string& id) {
    IngestRequest request;
    request.platform = Platform("whatsapp");
    request.received_at_ms = kT0;
    InboundItem item;
    item.message.account_id = account;
    item.message.contact_id = contact;
    item.message.platform_message_id = id;
    item.message.timestamp_ms = kT0;
    item.message.text = "hello " + id;
    request.messages.push_back(item);
    return request;
  }

  std::vector<std::string> Types(int64_t tenant_id, int64_t after) {
    std::vector<std::string> types;
    for (const Event& event : store_->events().Read(tenant_id, after, 1000).value().events) {
      types.emplace_back(ToString(event.type));
    }
    return types;
  }

  const int64_t acme_ = tenant_.id;
  int64_t globex_ = 0;
};

INSTANTIATE_TEST_SUITE_P(Backends, EventLogTest, ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         [](const auto& info) { return BackendName(info.param); });

TEST_P(EventLogTest, AnInboundMessageAppendsItsEventsWithTheRowsTheyName) {
  ASSERT_TRUE(Ingest(Message(kPhoneAcme, "alice", "wamid.1")));
  EventRead read = store_->events().Read(acme_, 0, 100).value();
  ASSERT_EQ(read.events.size(), 2u);
  EXPECT_FALSE(read.gap);
  EXPECT_EQ(read.last_id, 2);
  EXPECT_EQ(read.events[0].id, 1);
  EXPECT_EQ(read.events[0].type, EventType::kConversationCreated);
  ASSERT_TRUE(read.events[0].conversation);
  EXPECT_EQ(read.events[0].conversation->contact.platform_id, "alice");
  EXPECT_EQ(read.events[1].id, 2);
  EXPECT_EQ(read.events[1].type, EventType::kMessageCreated);
  ASSERT_TRUE(read.events[1].message);
  EXPECT_EQ(read.events[1].message->text, "hello wamid.1");
  EXPECT_EQ(read.events[1].message->conversation_id, read.events[0].conversation->id);
  EXPECT_EQ(Announced(acme_), 2) << "announced once durable";

  // The next message of the same conversation: the message alone, which tells the conversation's activity.
  ASSERT_TRUE(Ingest(Message(kPhoneAcme, "alice", "wamid.2")));
  EXPECT_EQ(Types(acme_, 2), (std::vector<std::string>{"message.created"}));
  // A retry of a stored message changes nothing, so it tells nothing.
  ASSERT_TRUE(Ingest(Message(kPhoneAcme, "alice", "wamid.2")));
  EXPECT_EQ(store_->events().LastId(acme_).value(), 3);
}

TEST_P(EventLogTest, AnInboundMessageTellsOfItsConversationOnlyWhenItsModeChanged) {
  ASSERT_TRUE(Ingest(Message(kPhoneAcme, "alice", "wamid.1")));
  const int64_t conversation = store_->events().Read(acme_, 0, 1).value().events.at(0).conversation->id;
  // A person holds it for 1 s without replying; the customer's next message, later, returns it to the bot.
  ASSERT_TRUE(store_->SetConversationMode(acme_, conversation, "human", "", 1000, kT0 + 1));
  int64_t mark = store_->events().LastId(acme_).value();
  IngestRequest later = Message(kPhoneAcme, "alice", "wamid.2");
  later.received_at_ms = kT0 + 5000;
  ASSERT_TRUE(Ingest(later));
  EXPECT_EQ(Types(acme_, mark), (std::vector<std::string>{"message.created", "conversation.updated"}));
  EventRead read = store_->events().Read(acme_, mark, 100).value();
  ASSERT_TRUE(read.events.at(1).conversation);
  EXPECT_EQ(read.events[1].conversation->mode, "bot");

  // A reply written in the platform's app takes it over.
  mark = store_->events().LastId(acme_).value();
  IngestRequest echo;
  echo.platform = Platform("whatsapp");
  echo.received_at_ms = kT0 + 6000;
  echo.echoes.push_back(BusinessEcho{Platform("whatsapp"), kPhoneAcme, "alice", "wamid.echo", "From the app", kT0});
  ASSERT_TRUE(Ingest(echo));
  EXPECT_EQ(Types(acme_, mark), (std::vector<std::string>{"message.created", "conversation.updated"}));
  EXPECT_EQ(store_->events().Read(acme_, mark, 100).value().events.at(1).conversation->mode, "human");
}

TEST_P(EventLogTest, IdsCountPerTenantAndTenantsSeeOnlyTheirOwn) {
  ASSERT_TRUE(Ingest(Message(kPhoneAcme, "alice", "wamid.a1")));
  ASSERT_TRUE(Ingest(Message(kPhoneGlobex, "bob", "wamid.g1")));
  ASSERT_TRUE(Ingest(Message(kPhoneAcme, "carol", "wamid.a2")));
  EventRead acme = store_->events().Read(acme_, 0, 100).value();
  EventRead globex = store_->events().Read(globex_, 0, 100).value();
  ASSERT_EQ(acme.events.size(), 4u);
  ASSERT_EQ(globex.events.size(), 2u);
  for (size_t i = 0; i < acme.events.size(); ++i) EXPECT_EQ(acme.events[i].id, static_cast<int64_t>(i) + 1);
  EXPECT_EQ(globex.events[1].id, 2);
  for (const Event& event : globex.events) {
    if (event.message) {
      EXPECT_EQ(event.message->text, "hello wamid.g1");
    }
  }
  EXPECT_EQ(Announced(globex_), 2);
}

TEST_P(EventLogTest, InboxActionsAndDeliveryTicksAppendTheirEvents) {
  ASSERT_TRUE(Ingest(Message(kPhoneAcme, "alice", "wamid.1")));
  const int64_t conversation = store_->events().Read(acme_, 0, 1).value().events.at(0).conversation->id;
  const int64_t before = store_->events().LastId(acme_).value();
  OutboundMessage reply =
      store_->QueuePersonReply(acme_, conversation, "On it", "user:1", 0, kT0 + 10, parley::testing::kWhatsAppWindow)
          .value();
  EXPECT_EQ(Types(acme_, before), (std::vector<std::string>{"message.created", "conversation.updated"}));

  int64_t mark = store_->events().LastId(acme_).value();
  ASSERT_TRUE(store_->RecordSendResult(reply.id, "wamid.out.1", MessageStatus::kSent, std::nullopt));
  IngestRequest delivered;
  delivered.platform = Platform("whatsapp");
  StatusUpdate status;
  status.account_id = kPhoneAcme;
  status.platform_message_id = "wamid.out.1";
  status.status = MessageStatus::kDelivered;
  delivered.statuses.push_back(status);
  delivered.received_at_ms = kT0 + 20;
  ASSERT_TRUE(Ingest(delivered));
  EventRead ticks = store_->events().Read(acme_, mark, 100).value();
  ASSERT_EQ(ticks.events.size(), 2u);
  EXPECT_EQ(ticks.events[0].type, EventType::kMessageUpdated);
  EXPECT_NE(ticks.events[0].data.find("\"status\":\"sent\""), std::string::npos) << ticks.events[0].data;
  EXPECT_NE(ticks.events[1].data.find("\"status\":\"delivered\""), std::string::npos) << ticks.events[1].data;
  EXPECT_NE(ticks.events[1].data.find("\"message_id\":" + std::to_string(reply.id)), std::string::npos);

  mark = store_->events().LastId(acme_).value();
  ASSERT_TRUE(store_->SetConversationMode(acme_, conversation, "bot", "", 0, kT0 + 30));
  ASSERT_TRUE(store_->AssignConversation(acme_, conversation, std::nullopt));
  ASSERT_TRUE(store_->CloseConversation(acme_, conversation, kT0 + 40));
  ASSERT_TRUE(store_->CloseConversation(acme_, conversation, kT0 + 50));  // Already closed: nothing changes.
  EXPECT_EQ(Types(acme_, mark),
            (std::vector<std::string>{"conversation.updated", "conversation.updated", "conversation.updated"}));
  EXPECT_EQ(store_->events().Read(acme_, mark, 100).value().events.back().conversation->status, "closed");
  EXPECT_EQ(store_->events().LastId(globex_).value(), 0);
}

TEST_P(EventLogTest, AnEscalationOpensAndAHandBackResolvesItsSupportItem) {
  IngestRequest request = Message(kPhoneAcme, "alice", "wamid.1");
  const int64_t conversation = Ingest(std::move(request)).value().pending.at(0).conversation_id;
  Claim claim = store_->ClaimConversation(conversation, kT0 + 1, 30'000).value().claim.value();
  Reply reply;
  reply.messages.push_back(OutboundDraft{MessageType::kText, "A person will answer you here.", ""});
  reply.hand_off = true;
  const int64_t mark = store_->events().LastId(acme_).value();
  ASSERT_EQ(store_->CommitReply(claim, reply, kT0 + 2, nullptr).value(), CommitResult::kCommitted);
  EXPECT_EQ(Types(acme_, mark),
            (std::vector<std::string>{"message.created", "support.opened", "conversation.updated"}));
  const int64_t handed = store_->events().LastId(acme_).value();
  ASSERT_TRUE(store_->SetConversationMode(acme_, conversation, "bot", "", 0, kT0 + 3));
  EventRead read = store_->events().Read(acme_, handed, 100).value();
  ASSERT_EQ(read.events.size(), 2u);
  EXPECT_EQ(read.events[0].type, EventType::kSupportResolved);
  ASSERT_TRUE(read.events[0].support_item);
  EXPECT_EQ(read.events[0].support_item->status, "resolved");
  EXPECT_EQ(read.events[0].support_item->conversation_id, conversation);
  EXPECT_EQ(read.events[1].type, EventType::kConversationUpdated);
}

TEST_P(EventLogTest, AFailedWriteInAGroupAppendsAndAnnouncesNothing) {
  ASSERT_TRUE(Ingest(Message(kPhoneAcme, "alice", "wamid.1")));
  std::promise<void> release;
  backend_->HoldWriter(release.get_future().share());
  IngestRequest bad = Message(kPhoneAcme, "bob", "wamid.bad");
  bad.messages.push_back(InboundItem{});  // No sender: the whole payload fails, after its first message's events.
  bad.messages.back().message.account_id = kPhoneAcme;
  std::promise<Result<IngestOutcome>> bad_done, good_done;
  store_->Ingest(std::move(bad), [&](Result<IngestOutcome> r) { bad_done.set_value(std::move(r)); });
  store_->Ingest(Message(kPhoneAcme, "carol", "wamid.2"),
                 [&](Result<IngestOutcome> r) { good_done.set_value(std::move(r)); });
  release.set_value();
  EXPECT_FALSE(bad_done.get_future().get());
  ASSERT_TRUE(good_done.get_future().get());
  EventRead read = store_->events().Read(acme_, 0, 100).value();
  ASSERT_EQ(read.events.size(), 4u);
  for (size_t i = 0; i < read.events.size(); ++i) EXPECT_EQ(read.events[i].id, static_cast<int64_t>(i) + 1);
  EXPECT_EQ(read.events[2].conversation->contact.platform_id, "carol");
  EXPECT_EQ(Announced(acme_), 4) << "nothing beyond the committed events";
}

TEST_P(EventLogTest, PruningBoundsTheLogAndReadersBehindItAreToldOfTheGap) {
  for (int i = 0; i < 30; ++i) {
    ASSERT_TRUE(Ingest(Message(kPhoneAcme, "alice", "wamid." + std::to_string(i))));
  }
  const int64_t last = store_->events().LastId(acme_).value();
  ASSERT_EQ(last, 1 + 30);  // conversation.created, then per message its message.created.
  EventRetention keep_ten;
  keep_ten.max_per_tenant = 10;
  EXPECT_EQ(store_->events().Prune(keep_ten, kT0).value(), last - 10);
  EXPECT_TRUE(store_->events().Read(acme_, 0, 100).value().gap) << "events 1.. are gone";
  EXPECT_TRUE(store_->events().Read(acme_, last - 11, 100).value().gap);
  EventRead kept = store_->events().Read(acme_, last - 10, 100).value();
  EXPECT_FALSE(kept.gap);
  EXPECT_EQ(kept.events.size(), 10u);
  EXPECT_TRUE(store_->events().Read(acme_, last + 5, 100).value().gap) << "an id the log never gave";

  // By age: everything older than the cut-off goes, except the newest event, which carries the count on.
  EventRetention by_age;
  by_age.max_age_ms = 1000;
  EXPECT_EQ(store_->events().Prune(by_age, kT0 + 10'000).value(), 9);
  EXPECT_EQ(store_->events().LastId(acme_).value(), last);
  ASSERT_TRUE(Ingest(Message(kPhoneAcme, "alice", "wamid.after")));
  EventRead after = store_->events().Read(acme_, last, 100).value();
  ASSERT_FALSE(after.events.empty());
  EXPECT_EQ(after.events.front().id, last + 1) << "ids are never given twice";
}

}  // namespace
}  // namespace parley::store::testing
