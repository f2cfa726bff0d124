// The inbound path on every backend: webhook payloads stored, de-duplicated, grouped; deletions and echoes.

#include "store_test.h"

#include <atomic>
#include <future>
#include <thread>

namespace parley::store::testing {
namespace {

TEST_P(StoreTest, IngestStoresAndDeduplicates) {
  IngestRequest request = Request(kT0, {Inbound("wamid.1", "c1", "hi"), Inbound("wamid.2", "c1", "are you open?")});
  auto first = Ingest(request);
  ASSERT_TRUE(first) << first.error().detail;
  EXPECT_EQ(first->stored, 2);
  EXPECT_EQ(first->duplicates, 0);
  ASSERT_EQ(first->pending.size(), 1u);  // One entry per conversation.
  EXPECT_EQ(first->pending[0].tenant_id, tenant_.id);
  EXPECT_EQ(first->pending[0].platform, Platform("whatsapp"));
  EXPECT_EQ(first->pending[0].pending_since_ms, kT0);
  EXPECT_EQ(first->tenant_ids, std::vector<int64_t>{tenant_.id});
  const int64_t conversation_id = first->pending[0].conversation_id;

  // Meta retries the same payload later: nothing new, pending state untouched.
  request.received_at_ms = kT0 + 5000;
  auto retry = Ingest(request);
  ASSERT_TRUE(retry);
  EXPECT_EQ(retry->stored, 0);
  EXPECT_EQ(retry->duplicates, 2);
  EXPECT_TRUE(retry->pending.empty());

  auto pending = store_->ListPendingConversations().value();
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0].conversation_id, conversation_id);
  EXPECT_EQ(pending[0].pending_since_ms, kT0);
  EXPECT_EQ(pending[0].last_inbound_at_ms, kT0);

  auto messages = Messages(conversation_id);
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages[0].platform_message_id, "wamid.1");
  EXPECT_EQ(messages[0].text, "hi");
  EXPECT_EQ(messages[0].direction, Direction::kIn);
  EXPECT_EQ(messages[0].status, MessageStatus::kReceived);
  EXPECT_EQ(messages[0].created_at_ms, kT0);
  EXPECT_EQ(messages[0].platform_timestamp_ms, kT0 - 1'000);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM conversations"), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM contacts WHERE name = 'Ana'"), 1);
}

TEST_P(StoreTest, ContactNameIsUpdatedWhenGiven) {
  ASSERT_TRUE(Ingest(Request(kT0, {Inbound("m1", "c1", "a")})));
  InboundItem renamed = Inbound("m2", "c1", "b");
  renamed.message.contact_name = "Ana Maria";
  ASSERT_TRUE(Ingest(Request(kT0 + 1, {renamed})));
  InboundItem anonymous = Inbound("m3", "c1", "c");
  anonymous.message.contact_name.clear();
  ASSERT_TRUE(Ingest(Request(kT0 + 2, {anonymous})));
  EXPECT_EQ(Count("SELECT COUNT(*) FROM contacts"), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM contacts WHERE name = 'Ana Maria'"), 1);
}

TEST_P(StoreTest, NonAnswerableMessagesAreStoredButNotPending) {
  InboundItem reaction = Inbound("m1", "c1", "");
  reaction.message.type = MessageType::kReaction;
  reaction.message.text.reset();
  reaction.message.reaction = Reaction{"wamid.out", "👍"};
  reaction.answerable = false;
  auto outcome = Ingest(Request(kT0, {reaction})).value();
  EXPECT_EQ(outcome.stored, 1);
  EXPECT_TRUE(outcome.pending.empty());
  EXPECT_TRUE(store_->ListPendingConversations().value().empty());
}

TEST_P(StoreTest, DetailsRoundTrip) {
  InboundItem image = Inbound("m1", "c1", "look");
  image.message.type = MessageType::kImage;
  image.message.media = Media{"media-42", "", "image/jpeg", "abc", "", false, false};
  image.message.reply_to = "wamid.previous";
  image.message.error = MessageError{131051, "Unsupported", "detail"};
  const int64_t conversation_id = Ingest(Request(kT0, {image})).value().pending.at(0).conversation_id;
  ASSERT_TRUE(Ingest(Request(kT0, {Inbound("m2", "c1", "plain")})));

  auto messages = Messages(conversation_id);
  ASSERT_EQ(messages.size(), 2u);
  const StoredMessage& stored = messages[0];
  EXPECT_EQ(stored.type, MessageType::kImage);
  EXPECT_EQ(stored.text, "look");
  ASSERT_TRUE(stored.error);
  EXPECT_EQ(stored.error->code, 131051);
  EXPECT_EQ(stored.error->title, "Unsupported");
  EXPECT_EQ(stored.details.at("media").at("id").as_string(), "media-42");
  EXPECT_EQ(stored.details.at("media").at("mime_type").as_string(), "image/jpeg");
  EXPECT_EQ(stored.details.at("reply_to").as_string(), "wamid.previous");
  // Columns are not repeated in details.
  for (const char* key : {"type", "text", "platform_message_id", "contact_id", "timestamp_ms", "error"}) {
    EXPECT_FALSE(stored.details.contains(key)) << key;
  }
  EXPECT_TRUE(messages[1].details.empty());
}

TEST_P(StoreTest, UnknownAccountStoresNothing) {
  IngestRequest request = Request(kT0, {Inbound("m1", "c1", "hi", "no-such-phone")});
  StatusUpdate status;
  status.account_id = "no-such-phone";
  status.platform_message_id = "x";
  request.statuses.push_back(status);
  auto outcome = Ingest(request);
  ASSERT_TRUE(outcome);
  EXPECT_EQ(outcome->unknown_account, 2);
  EXPECT_EQ(outcome->stored, 0);
  EXPECT_TRUE(outcome->pending.empty());
  EXPECT_TRUE(outcome->tenant_ids.empty());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM messages"), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM contacts"), 0);
}

TEST_P(StoreTest, ChannelAddedByAnotherProcessIsFound) {
  EXPECT_EQ(Ingest(Request(kT0, {Inbound("m1", "c1", "hi", "phone-late")})).value().unknown_account, 1);
  auto cli = backend_->OpenAnother();
  ASSERT_TRUE(cli->AddChannel({tenant_.id, Platform("whatsapp"), "phone-late", "t"}));
  cli->Close();
  EXPECT_EQ(Ingest(Request(kT0, {Inbound("m1", "c1", "hi", "phone-late")})).value().stored, 1);
}

TEST_P(StoreTest, AStatusForAnUnknownMessageIsKeptForTheSendResult) {
  EXPECT_EQ(Ingest(StatusRequest("wamid.race", MessageStatus::kSent)).value().statuses_unmatched, 1);
  EXPECT_EQ(Ingest(StatusRequest("wamid.race", MessageStatus::kDelivered)).value().statuses_unmatched, 1);
  EXPECT_EQ(Ingest(StatusRequest("wamid.race", MessageStatus::kDelivered)).value().statuses_unmatched, 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM early_statuses"), 2);
  // A status naming a customer's message is not about an outbound message, and is not kept.
  ASSERT_TRUE(Ingest(Request(kT0, {Inbound("wamid.in1", "c1", "hello")})));
  EXPECT_EQ(Ingest(StatusRequest("wamid.in1", MessageStatus::kRead)).value().statuses_unmatched, 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM early_statuses"), 2);
}

TEST_P(StoreTest, DeletionMarksTheInboundMessage) {
  auto outcome = Ingest(Request(kT0, {Inbound("m1", "c1", "oops")})).value();
  const int64_t conversation_id = outcome.pending.at(0).conversation_id;
  IngestRequest request;
  request.platform = Platform("whatsapp");
  request.received_at_ms = kT0 + 1;
  request.deletions.push_back(Deletion{Platform("whatsapp"), kAccount, "m1", "c1"});
  ASSERT_TRUE(Ingest(request));
  EXPECT_EQ(Count("SELECT COUNT(*) FROM messages WHERE status = 'deleted' AND platform_message_id = 'm1'"), 1);
  EXPECT_TRUE(Messages(conversation_id).empty());  // The agent no longer reads it.
  // Its only message unsent, the conversation has nothing to answer; claiming clears it.
  auto attempt = store_->ClaimConversation(conversation_id, kT0 + 2, kLease).value();
  EXPECT_FALSE(attempt.claim);
  EXPECT_EQ(attempt.held_until_ms, 0);
  EXPECT_TRUE(store_->ListPendingConversations().value().empty());
}

TEST_P(StoreTest, AnEchoFromThePlatformsAppTakesTheConversationOver) {
  const int64_t conversation_id =
      Ingest(Request(kT0, {Inbound("m1", "c1", "hi")})).value().pending.at(0).conversation_id;
  IngestRequest echo;
  echo.platform = Platform("whatsapp");
  echo.received_at_ms = kT0 + 10;
  echo.human_idle_ms = 60'000;
  echo.echoes.push_back(BusinessEcho{Platform("whatsapp"), kAccount, "c1", "wamid.app", "I will handle it", kT0 + 5});
  auto outcome = Ingest(echo).value();
  EXPECT_EQ(outcome.takeovers, 1);
  // The person answers: nothing is pending, and a claim finds nothing.
  EXPECT_TRUE(store_->ListPendingConversations().value().empty());
  EXPECT_FALSE(store_->ClaimConversation(conversation_id, kT0 + 20, kLease).value().claim);
  auto messages = Messages(conversation_id);
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages[1].direction, Direction::kOut);
  EXPECT_EQ(messages[1].status, MessageStatus::kSent);
  EXPECT_EQ(messages[1].details.at("sent_by").as_string(), "person");
  EXPECT_EQ(Count("SELECT COUNT(*) FROM conversations WHERE mode = 'human' AND handoff_reason = 'takeover'"
                  " AND human_until = " +
                  std::to_string(kT0 + 10 + 60'000)),
            1);
  // The same echo again changes nothing.
  EXPECT_EQ(Ingest(echo).value().takeovers, 0);
  // During the hold a customer message is left to the person; after it, the bot answers again.
  EXPECT_TRUE(Ingest(Request(kT0 + 30'000, {Inbound("m2", "c1", "still there?")})).value().pending.empty());
  auto after = Ingest(Request(kT0 + 10 + 60'000, {Inbound("m3", "c1", "hello?")})).value();
  ASSERT_EQ(after.pending.size(), 1u);
  Claim claim = MustClaim(conversation_id, kT0 + 80'000);
  ASSERT_EQ(claim.messages.size(), 1u);
  EXPECT_EQ(claim.messages[0].platform_message_id, "m3");
}

TEST_P(StoreTest, OneFailingRequestDoesNotFailItsGroup) {
  std::promise<void> release;
  backend_->HoldWriter(release.get_future().share());

  std::promise<Result<IngestOutcome>> a, b, c;
  store_->Ingest(Request(kT0, {Inbound("a1", "ca", "first")}), [&](auto r) { a.set_value(std::move(r)); });
  // Its first message is fine, its second has no sender: the whole request must roll back, alone.
  store_->Ingest(Request(kT0, {Inbound("b1", "cb", "fine"), Inbound("b2", "", "no sender")}),
                 [&](auto r) { b.set_value(std::move(r)); });
  store_->Ingest(Request(kT0, {Inbound("c1", "cc", "third")}), [&](auto r) { c.set_value(std::move(r)); });
  EXPECT_GE(store_->Health().pending_writes, 3);

  release.set_value();
  auto ra = a.get_future().get();
  auto rb = b.get_future().get();
  auto rc = c.get_future().get();
  EXPECT_EQ(backend_->LastGroupSize(), 3);  // All three committed together.
  ASSERT_TRUE(ra);
  EXPECT_EQ(ra->stored, 1);
  ASSERT_FALSE(rb);
  EXPECT_EQ(rb.error().code, ErrorCode::kInvalidArgument);
  ASSERT_TRUE(rc);
  EXPECT_EQ(rc->stored, 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM messages"), 2);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM messages WHERE platform_message_id = 'b1'"), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM contacts WHERE platform_id = 'cb'"), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM conversations"), 2);
}

// The PostgreSQL backend writes a group's messages with one statement per table: the result must be that of the
// payloads applied one at a time, which the SQLite backend does.
TEST_P(StoreTest, OneGroupsPayloadsApplyAsIfOneAtATime) {
  const int64_t held = Ingest(Request(kT0, {Inbound("m0", "c1", "hi")})).value().pending.at(0).conversation_id;
  // A person took it over; their hold ran out at kT0 + 10.
  ASSERT_EQ(
      Count("UPDATE conversations SET mode = 'human', handoff_reason = 'takeover', human_until = " +
            std::to_string(kT0 + 10) + ", pending_since = NULL WHERE id = " + std::to_string(held) + " RETURNING id"),
      held);
  const int64_t events_before = Count("SELECT MAX(id) FROM events");
  std::promise<void> release;
  backend_->HoldWriter(release.get_future().share());
  std::vector<std::promise<Result<IngestOutcome>>> done(5);
  auto queue = [&](size_t i, IngestRequest request) {
    store_->Ingest(std::move(request), [&done, i](auto r) { done[i].set_value(std::move(r)); });
  };
  queue(0, Request(kT0 + 20, {Inbound("m1", "c1", "back")}));
  queue(1, Request(kT0 + 21, {Inbound("m1", "c1", "back")}));  // Retried within the group.
  InboundItem renamed = Inbound("m3", "c2", "z");
  renamed.message.contact_name = "Bea Maria";
  queue(2, Request(kT0 + 22, {Inbound("m2", "c2", "y"), renamed}));
  IngestRequest mixed = StatusRequest("wamid.unknown", MessageStatus::kSent);
  mixed.received_at_ms = kT0 + 23;
  mixed.messages.push_back(Inbound("m4", "c3", "w"));
  queue(3, mixed);
  InboundItem anonymous = Inbound("m5", "c2", "v");
  anonymous.message.contact_name.clear();  // Keeps the name given before.
  queue(4, Request(kT0 + 24, {anonymous}));
  release.set_value();
  std::vector<IngestOutcome> outcomes;
  for (auto& d : done) outcomes.push_back(d.get_future().get().value());
  EXPECT_EQ(backend_->LastGroupSize(), 5);

  EXPECT_EQ(outcomes[0].stored, 1);
  ASSERT_EQ(outcomes[0].pending.size(), 1u);  // The hold is over: the bot answers again.
  EXPECT_EQ(outcomes[0].pending[0].conversation_id, held);
  EXPECT_EQ(outcomes[0].pending[0].pending_since_ms, kT0 + 20);
  EXPECT_EQ(outcomes[1].stored, 0);
  EXPECT_EQ(outcomes[1].duplicates, 1);
  EXPECT_EQ(outcomes[2].stored, 2);
  ASSERT_EQ(outcomes[2].pending.size(), 1u);
  EXPECT_EQ(outcomes[2].pending[0].pending_since_ms, kT0 + 22);
  EXPECT_EQ(outcomes[3].stored, 1);
  EXPECT_EQ(outcomes[3].statuses_unmatched, 1);
  ASSERT_EQ(outcomes[4].pending.size(), 1u);
  EXPECT_EQ(outcomes[4].pending[0].conversation_id, outcomes[2].pending[0].conversation_id);
  EXPECT_EQ(outcomes[4].pending[0].pending_since_ms, kT0 + 22);
  EXPECT_EQ(outcomes[4].pending[0].last_inbound_at_ms, kT0 + 24);

  EXPECT_EQ(backend_->QueryStrings("SELECT platform_message_id FROM messages ORDER BY id"),
            (std::vector<std::string>{"m0", "m1", "m2", "m3", "m4", "m5"}));
  EXPECT_EQ(Count("SELECT COUNT(*) FROM conversations WHERE mode = 'human' OR handoff_reason IS NOT NULL"), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM conversations"), 3);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM contacts WHERE name = 'Bea Maria'"), 1);
  EXPECT_EQ(Count("SELECT SUM(inbound_seq) FROM conversations"), 6);
  EXPECT_EQ(
      backend_->QueryStrings("SELECT type FROM events WHERE id > " + std::to_string(events_before) + " ORDER BY id"),
      (std::vector<std::string>{"message.created", "conversation.updated", "conversation.created", "message.created",
                                "message.created", "conversation.created", "message.created", "message.created"}));
}

TEST_P(StoreTest, ConcurrentIngestFromSeveralThreads) {
  constexpr int kThreads = 4;
  constexpr int kPerThread = 250;
  std::vector<std::atomic<int>> calls(kThreads * kPerThread);
  std::atomic<int> failures{0};
  std::atomic<int> remaining{kThreads * kPerThread};
  std::promise<void> all_done;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const int n = t * kPerThread + i;
        store_->Ingest(Request(kT0 + n, {Inbound(Id("m", n), Id("c", n % 10), "x")}), [&, n](Result<IngestOutcome> r) {
          if (!r || r->stored != 1) ++failures;
          ++calls[n];
          if (--remaining == 0) all_done.set_value();
        });
      }
    });
  }
  for (auto& t : threads) t.join();
  all_done.get_future().wait();
  EXPECT_EQ(failures.load(), 0);
  for (const auto& count : calls) EXPECT_EQ(count.load(), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM messages"), kThreads * kPerThread);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM conversations"), 10);
  EXPECT_EQ(Count("SELECT SUM(inbound_seq) FROM conversations"), kThreads * kPerThread);
}

TEST_P(StoreTest, TwoProcessesIngestingTheSameContactShareOneConversation) {
  auto other = backend_->OpenAnother();
  constexpr int kEach = 50;
  std::atomic<int> failures{0};
  auto send = [&](Store& store, const std::string& prefix) {
    for (int i = 0; i < kEach; ++i) {
      std::promise<Result<IngestOutcome>> done;
      store.Ingest(Request(kT0 + i, {Inbound(Id(prefix, i), "c1", "x")}),
                   [&](auto r) { done.set_value(std::move(r)); });
      auto outcome = done.get_future().get();
      if (!outcome || outcome->stored != 1) ++failures;
    }
  };
  std::thread first([&] { send(*store_, "a"); });
  std::thread second([&] { send(*other, "b"); });
  first.join();
  second.join();
  other->Close();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM conversations"), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM contacts"), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM messages"), 2 * kEach);
  EXPECT_EQ(Count("SELECT SUM(inbound_seq) FROM conversations"), 2 * kEach);
}

}  // namespace
}  // namespace parley::store::testing
