// Claims and replies on every backend: one claim at a time, leases, "latest wins", hand-offs, traces, and several
// workers competing for one conversation.

#include "store_test.h"

#include <atomic>
#include <thread>

namespace parley::store::testing {
namespace {

TEST_P(StoreTest, AClaimLoadsTheNewestMessagesAndCoversThemAll) {
  constexpr int kSent = kMaxClaimedMessages + 10;
  std::vector<InboundItem> flood;
  for (int i = 1; i <= kSent; ++i) flood.push_back(Inbound("f" + std::to_string(i), "c1", "part " + std::to_string(i)));
  auto outcome = Ingest(Request(kT0, flood)).value();
  const int64_t conversation_id = outcome.pending.at(0).conversation_id;
  ASSERT_TRUE(Ingest(Request(kT0 + 10, {Inbound("f-last", "c1", "and the last one")})));

  Claim claim = MustClaim(conversation_id, kT0 + 2000);
  EXPECT_EQ(claim.messages_total, kSent + 1);
  ASSERT_EQ(claim.messages.size(), static_cast<size_t>(kMaxClaimedMessages));
  EXPECT_EQ(claim.messages.front().text, "part " + std::to_string(kSent + 2 - kMaxClaimedMessages));  // oldest first
  EXPECT_EQ(claim.messages.back().text, "and the last one");
  // Committing answers every message the claim covers, loaded or not.
  EXPECT_EQ(
      store_->CommitReply(claim, OutboundDraft{MessageType::kText, "Thanks, reading it all", ""}, kT0 + 3000, nullptr)
          .value(),
      CommitResult::kCommitted);
  EXPECT_TRUE(store_->ListPendingConversations().value().empty());
}

TEST_P(StoreTest, ClaimLeaseExpiryAndLostCommit) {
  auto outcome = Ingest(Request(kT0, {Inbound("m1", "c1", "hi"), Inbound("m2", "c1", "price?")})).value();
  const int64_t conversation_id = outcome.pending.at(0).conversation_id;

  Claim first = MustClaim(conversation_id, kT0 + 2000);
  EXPECT_EQ(first.inbound_seq, 2);
  ASSERT_EQ(first.messages.size(), 2u);
  EXPECT_EQ(first.messages[0].text, "hi");
  EXPECT_EQ(first.messages[1].text, "price?");
  EXPECT_EQ(first.conversation.contact.platform_id, "c1");
  EXPECT_EQ(first.conversation.contact.name, "Ana");
  EXPECT_EQ(first.conversation.tenant_id, tenant_.id);
  EXPECT_EQ(first.channel.access_token, "EAAG-secret-token");
  EXPECT_FALSE(first.token.empty());

  // Held: a second worker learns when the lease ends.
  auto held = store_->ClaimConversation(conversation_id, kT0 + 3000, kLease).value();
  EXPECT_FALSE(held.claim);
  EXPECT_EQ(held.held_until_ms, kT0 + 2000 + kLease);

  // The first worker stalls past its lease; another takes over.
  Claim second = MustClaim(conversation_id, kT0 + 2000 + kLease);
  EXPECT_NE(second.token, first.token);
  EXPECT_EQ(second.messages.size(), 2u);

  int64_t outbound_id = -1;
  EXPECT_EQ(
      store_->CommitReply(first, OutboundDraft{MessageType::kText, "late", ""}, kT0 + 40'000, &outbound_id).value(),
      CommitResult::kLost);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM messages WHERE direction = 'out'"), 0);

  EXPECT_EQ(
      store_->CommitReply(second, OutboundDraft{MessageType::kText, "It is 10 €", "m2"}, kT0 + 40'000, &outbound_id)
          .value(),
      CommitResult::kCommitted);
  EXPECT_GT(outbound_id, 0);
  StoredMessage reply = MessageById(conversation_id, outbound_id);
  EXPECT_EQ(reply.direction, Direction::kOut);
  EXPECT_EQ(reply.status, MessageStatus::kQueued);
  EXPECT_EQ(reply.text, "It is 10 €");
  EXPECT_EQ(reply.details.at("reply_to").as_string(), "m2");
  EXPECT_TRUE(store_->ListPendingConversations().value().empty());
  auto again = store_->ClaimConversation(conversation_id, kT0 + 41'000, kLease).value();
  EXPECT_FALSE(again.claim);
  EXPECT_EQ(again.held_until_ms, 0);

  // The next customer message is the only one a new claim covers.
  ASSERT_TRUE(Ingest(Request(kT0 + 50'000, {Inbound("m3", "c1", "thanks, and tomorrow?")})));
  Claim third = MustClaim(conversation_id, kT0 + 52'000);
  ASSERT_EQ(third.messages.size(), 1u);
  EXPECT_EQ(third.messages[0].platform_message_id, "m3");
  EXPECT_EQ(third.inbound_seq, 3);
}

TEST_P(StoreTest, CommitIsSupersededByANewerMessage) {
  auto outcome = Ingest(Request(kT0, {Inbound("m1", "c1", "hi")})).value();
  const int64_t conversation_id = outcome.pending.at(0).conversation_id;
  Claim claim = MustClaim(conversation_id, kT0 + 2000);

  auto during = Ingest(Request(kT0 + 2500, {Inbound("m2", "c1", "one more thing")})).value();
  ASSERT_EQ(during.pending.size(), 1u);
  EXPECT_EQ(during.pending[0].pending_since_ms, kT0);  // The oldest unanswered message still counts.
  EXPECT_EQ(during.pending[0].last_inbound_at_ms, kT0 + 2500);

  int64_t outbound_id = -1;
  EXPECT_EQ(
      store_->CommitReply(claim, OutboundDraft{MessageType::kText, "stale", ""}, kT0 + 3000, &outbound_id).value(),
      CommitResult::kSuperseded);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM messages WHERE direction = 'out'"), 0);
  ASSERT_EQ(store_->ListPendingConversations().value().size(), 1u);

  // Released: the next claim needs no lease expiry and covers both messages.
  Claim fresh = MustClaim(conversation_id, kT0 + 4500);
  EXPECT_EQ(fresh.inbound_seq, 2);
  EXPECT_EQ(fresh.messages.size(), 2u);
  EXPECT_EQ(store_->CommitReply(fresh, std::nullopt, kT0 + 5000, &outbound_id).value(), CommitResult::kCommitted);
  EXPECT_EQ(outbound_id, 0);  // Answered without a reply (e.g. triage said ignore).
  EXPECT_TRUE(store_->ListPendingConversations().value().empty());
}

TEST_P(StoreTest, ReleaseClaimKeepsTheConversationPending) {
  auto outcome = Ingest(Request(kT0, {Inbound("m1", "c1", "hi")})).value();
  const int64_t conversation_id = outcome.pending.at(0).conversation_id;
  Claim claim = MustClaim(conversation_id, kT0 + 1);
  EXPECT_TRUE(store_->ReleaseClaim(conversation_id, "not-the-token"));  // No effect.
  EXPECT_FALSE(store_->ClaimConversation(conversation_id, kT0 + 2, kLease).value().claim);
  ASSERT_TRUE(store_->ReleaseClaim(conversation_id, claim.token));
  EXPECT_EQ(store_->ListPendingConversations().value().size(), 1u);
  Claim again = MustClaim(conversation_id, kT0 + 3);
  EXPECT_EQ(again.messages.size(), 1u);
}

// What a burst that waited for its media is armed with again once the media is settled (media/fetcher.h).
TEST_P(StoreTest, OneConversationsPendingStateIsReadAsTheListGivesIt) {
  auto outcome = Ingest(Request(kT0, {Inbound("m1", "c1", "hi")})).value();
  const int64_t conversation_id = outcome.pending.at(0).conversation_id;
  ASSERT_TRUE(Ingest(Request(kT0 + 700, {Inbound("m2", "c1", "are you open?")})));
  Claim claim = MustClaim(conversation_id, kT0 + 1000);  // Claimed or not, it is pending.
  auto pending = store_->GetPendingConversation(conversation_id).value();
  ASSERT_TRUE(pending);
  EXPECT_EQ(pending->conversation_id, conversation_id);
  EXPECT_EQ(pending->tenant_id, tenant_.id);
  EXPECT_EQ(pending->platform, Platform("whatsapp"));
  EXPECT_EQ(pending->pending_since_ms, kT0);
  EXPECT_EQ(pending->last_inbound_at_ms, kT0 + 700);
  EXPECT_FALSE(store_->GetPendingConversation(conversation_id + 1000).value());

  ASSERT_EQ(store_->CommitReply(claim, OutboundDraft{MessageType::kText, "hi!", ""}, kT0 + 1100, nullptr).value(),
            CommitResult::kCommitted);
  EXPECT_FALSE(store_->GetPendingConversation(conversation_id).value());  // Answered: nothing waits.
}

// A sweep beside other workers re-arms what waits nowhere, not what a live claim is answering; a claim whose holder
// died (it expired) or that was given up makes the conversation listed again, so nothing is lost.
TEST_P(StoreTest, ASweepLeavesOutConversationsUnderALiveClaim) {
  auto first = Ingest(Request(kT0, {Inbound("m1", "c1", "hi")})).value();
  auto second = Ingest(Request(kT0 + 10, {Inbound("m2", "c2", "hello")})).value();
  const int64_t claimed_id = first.pending.at(0).conversation_id;
  const int64_t free_id = second.pending.at(0).conversation_id;
  auto ids = [](const std::vector<PendingConversation>& pending) {
    std::vector<int64_t> ids;
    for (const PendingConversation& p : pending) ids.push_back(p.conversation_id);
    return ids;
  };
  EXPECT_EQ(ids(store_->ListPendingConversations(kT0 + 100).value()), (std::vector<int64_t>{claimed_id, free_id}));

  MustClaim(claimed_id, kT0 + 1000);
  const int64_t expires_at = kT0 + 1000 + kLease;
  EXPECT_EQ(ids(store_->ListPendingConversations(kT0 + 1000).value()), std::vector<int64_t>{free_id});
  EXPECT_EQ(ids(store_->ListPendingConversations(expires_at - 1).value()), std::vector<int64_t>{free_id});
  // Start-up recovery lists it all the same.
  EXPECT_EQ(ids(store_->ListPendingConversations().value()), (std::vector<int64_t>{claimed_id, free_id}));
  // Its holder died: once the claim expires the conversation is listed, and another worker can take it.
  EXPECT_EQ(ids(store_->ListPendingConversations(expires_at).value()), (std::vector<int64_t>{claimed_id, free_id}));

  // A claim given up (a failed reply) lists it at once.
  Claim taken_over = MustClaim(claimed_id, expires_at);
  EXPECT_EQ(ids(store_->ListPendingConversations(expires_at + 1).value()), std::vector<int64_t>{free_id});
  ASSERT_TRUE(store_->ReleaseClaim(claimed_id, taken_over.token));
  EXPECT_EQ(ids(store_->ListPendingConversations(expires_at + 2).value()), (std::vector<int64_t>{claimed_id, free_id}));

  // Answered under the claim: listed by neither.
  Claim answering = MustClaim(claimed_id, expires_at + 3);
  EXPECT_EQ(
      store_->CommitReply(answering, OutboundDraft{MessageType::kText, "hi!", ""}, expires_at + 4, nullptr).value(),
      CommitResult::kCommitted);
  EXPECT_EQ(ids(store_->ListPendingConversations(expires_at + kLease * 2).value()), std::vector<int64_t>{free_id});
  EXPECT_EQ(ids(store_->ListPendingConversations().value()), std::vector<int64_t>{free_id});
}

TEST_P(StoreTest, AnUnknownConversationHasNothingToClaim) {
  auto attempt = store_->ClaimConversation(987'654, kT0, kLease);
  ASSERT_TRUE(attempt);
  EXPECT_FALSE(attempt->claim);
  EXPECT_EQ(attempt->held_until_ms, 0);
  EXPECT_EQ(store_->RecentMessages(987'654, 1'000, 10).value().size(), 0u);
}

TEST_P(StoreTest, AReplyOfSeveralMessagesKeepsItsTraceAndOrder) {
  const int64_t conversation_id =
      Ingest(Request(kT0, {Inbound("m1", "c1", "hi")})).value().pending.at(0).conversation_id;
  Claim claim = MustClaim(conversation_id, kT0 + 1);
  Reply reply;
  reply.messages = {OutboundDraft{MessageType::kText, "first", ""}, OutboundDraft{MessageType::kText, "second", ""}};
  reply.decision = Decision::kAutoReply;
  reply.reason = Reason::kAnswered;
  reply.trace = R"([{"stage":"generate"}])";
  std::vector<int64_t> ids;
  ASSERT_EQ(store_->CommitReply(claim, reply, kT0 + 2, &ids).value(), CommitResult::kCommitted);
  ASSERT_EQ(ids.size(), 2u);
  EXPECT_LT(ids[0], ids[1]);
  auto traces = store_->ListReplyTraces(tenant_.id, conversation_id).value();
  ASSERT_EQ(traces.size(), 1u);
  EXPECT_EQ(traces[0].message_id, ids[0]);
  EXPECT_EQ(traces[0].trace, R"([{"stage":"generate"}])");
  EXPECT_EQ(traces[0].decision, ToString(Decision::kAutoReply));
  EXPECT_EQ(traces[0].reason, ToString(Reason::kAnswered));
  EXPECT_EQ(traces[0].created_at_ms, kT0 + 2);
  // Another tenant's conversation does not exist for it.
  Tenant other = store_->CreateTenant("Other", crypto::Sha256Hex("key-other")).value();
  EXPECT_EQ(store_->ListReplyTraces(other.id, conversation_id).error().code, ErrorCode::kNotFound);
  // The agent's history reads the replies in order, and stops before a given message.
  auto history = store_->RecentMessages(conversation_id, ids[1], 10).value();
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[0].text, "hi");
  EXPECT_EQ(history[1].text, "first");
  EXPECT_EQ(store_->RecentMessages(conversation_id, ids[1] + 1, 1).value().at(0).text, "second");
}

TEST_P(StoreTest, AHandOffGoesToAPersonWithOneSupportItem) {
  const int64_t conversation_id =
      Ingest(Request(kT0, {Inbound("m1", "c1", "a human please")})).value().pending.at(0).conversation_id;
  Claim claim = MustClaim(conversation_id, kT0 + 1);
  Reply reply;
  reply.messages = {OutboundDraft{MessageType::kText, "A colleague will answer you.", ""}};
  reply.hand_off = true;
  reply.reason = Reason::kHumanRequested;
  reply.priority = Priority::kHigh;
  reply.draft = R"({"text":"Hello","sources":[]})";
  reply.human_idle_ms = 3'600'000;
  ASSERT_EQ(store_->CommitReply(claim, reply, kT0 + 2, nullptr).value(), CommitResult::kCommitted);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM conversations WHERE mode = 'human' AND handoff_reason = 'human_requested'"
                  " AND human_until = " +
                  std::to_string(kT0 + 2 + 3'600'000)),
            1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM support_items WHERE status = 'open' AND priority = 'high'"
                  " AND reason = 'human_requested'"),
            1);
  // While the person answers, customer messages do not wake the bot.
  EXPECT_TRUE(Ingest(Request(kT0 + 10, {Inbound("m2", "c1", "hello?")})).value().pending.empty());
  // Handed back: the support item is resolved, and the next message is the bot's again.
  Conversation back = store_->SetConversationMode(tenant_.id, conversation_id, "bot", "", 0, kT0 + 20).value();
  EXPECT_EQ(back.mode, "bot");
  EXPECT_EQ(back.handoff_reason, "");
  EXPECT_FALSE(back.human_until_ms);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM support_items WHERE status = 'resolved' AND resolved_by = 'hand_back'"), 1);
  EXPECT_EQ(Ingest(Request(kT0 + 30, {Inbound("m3", "c1", "thanks")})).value().pending.size(), 1u);
}

TEST_P(StoreTest, APersonTakingOverMakesTheClaimSuperseded) {
  const int64_t conversation_id =
      Ingest(Request(kT0, {Inbound("m1", "c1", "hi")})).value().pending.at(0).conversation_id;
  Claim claim = MustClaim(conversation_id, kT0 + 1);
  Conversation taken = store_->SetConversationMode(tenant_.id, conversation_id, "human", "", 0, kT0 + 2).value();
  EXPECT_EQ(taken.mode, "human");
  EXPECT_EQ(taken.handoff_reason, "manual");
  EXPECT_FALSE(taken.human_until_ms);  // Until handed back.
  EXPECT_EQ(store_->CommitReply(claim, OutboundDraft{MessageType::kText, "bot", ""}, kT0 + 3, nullptr).value(),
            CommitResult::kSuperseded);
  EXPECT_TRUE(store_->ListPendingConversations().value().empty());
  EXPECT_EQ(store_->SetConversationMode(tenant_.id, conversation_id, "robot", "", 0, kT0).error().code,
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(store_->SetConversationMode(tenant_.id + 999, conversation_id, "bot", "", 0, kT0).error().code,
            ErrorCode::kNotFound);
}

TEST_P(StoreTest, WorkersCompetingForOneConversationGetOneClaim) {
  const int64_t conversation_id =
      Ingest(Request(kT0, {Inbound("m1", "c1", "hi")})).value().pending.at(0).conversation_id;
  std::vector<std::unique_ptr<Store>> workers;
  for (int i = 0; i < 3; ++i) workers.push_back(backend_->OpenAnother());
  std::atomic<int> claims{0};
  std::atomic<int> held{0};
  std::atomic<int> errors{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    Store& worker = i == 0 ? *store_ : *workers[i - 1];
    threads.emplace_back([&] {
      auto attempt = worker.ClaimConversation(conversation_id, kT0 + 1, kLease);
      if (!attempt) {
        ++errors;
      } else if (attempt->claim) {
        ++claims;
      } else if (attempt->held_until_ms > 0) {
        ++held;
      }
    });
  }
  for (auto& t : threads) t.join();
  for (auto& worker : workers) worker->Close();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(claims.load(), 1);
  EXPECT_EQ(held.load(), 3);
}

TEST_P(StoreTest, UsageIsRecordedWithTheCommittedReplyOnly) {
  const int64_t conversation_id =
      Ingest(Request(kT0, {Inbound("m1", "c1", "hi")})).value().pending.at(0).conversation_id;
  Claim claim = MustClaim(conversation_id, kT0 + 1);
  Reply reply;
  reply.messages = {OutboundDraft{MessageType::kText, "hello", ""}};
  reply.usage = Usage{"2027-01-15", 1, 3, 100, 20, 0, 1};
  ASSERT_EQ(store_->CommitReply(claim, reply, kT0 + 2, nullptr).value(), CommitResult::kCommitted);
  ASSERT_TRUE(Ingest(Request(kT0 + 10, {Inbound("m2", "c1", "more")})));
  Claim second = MustClaim(conversation_id, kT0 + 11);
  ASSERT_EQ(store_->CommitReply(second, reply, kT0 + 12, nullptr).value(), CommitResult::kCommitted);
  EXPECT_EQ(Count("SELECT ai_replies FROM usage_daily WHERE day = '2027-01-15'"), 2);
  EXPECT_EQ(Count("SELECT credits FROM usage_daily WHERE day = '2027-01-15'"), 6);
  EXPECT_EQ(Count("SELECT SUM(credits) FROM analytics_counts"), 6);
  // A lost commit records nothing.
  EXPECT_EQ(store_->CommitReply(second, reply, kT0 + 13, nullptr).value(), CommitResult::kLost);
  EXPECT_EQ(Count("SELECT credits FROM usage_daily WHERE day = '2027-01-15'"), 6);
}

}  // namespace
}  // namespace parley::store::testing
