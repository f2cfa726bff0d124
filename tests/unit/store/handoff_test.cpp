// Human mode: replies of several messages with their traces, hand-off by the agent, takeover by a person
// answering from Instagram's app (echoes), and the way back to the bot.

#include "core/crypto.h"
#include "store/access_store.h"
#include "store/inbox_store.h"
#include "support/platform_rules.h"

#include "store/sqlite/sqlite_store.h"
#include "unit/store/store_fixture.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <future>
#include <optional>
#include <string>
#include <vector>

namespace parley::store::sqlite {
namespace {

constexpr int64_t kT0 = 1'800'000'000'000;
constexpr int64_t kLease = 30'000;
constexpr int64_t kIdle = 3'600'000;

InboundItem Inbound(const std::string& mid, const std::string& text, const std::string& contact = "igsid-1") {
  InboundItem item;
  item.message.platform = Platform("instagram");
  item.message.account_id = kIgAccount;
  item.message.platform_message_id = mid;
  item.message.contact_id = contact;
  item.message.timestamp_ms = kT0;
  item.message.text = text;
  return item;
}

IngestRequest Messages(int64_t received_at_ms, std::vector<InboundItem> messages) {
  IngestRequest request;
  request.platform = Platform("instagram");
  request.received_at_ms = received_at_ms;
  request.messages = std::move(messages);
  return request;
}

// What Instagram sends when the business answers from its own app (or when Parley's own reply is echoed).
IngestRequest Echo(int64_t received_at_ms, const std::string& mid, const std::string& text,
                   const std::string& contact = "igsid-1") {
  IngestRequest request;
  request.platform = Platform("instagram");
  request.received_at_ms = received_at_ms;
  request.human_idle_ms = kIdle;
  request.echoes.push_back(BusinessEcho{Platform("instagram"), kIgAccount, contact, mid, text, kT0});
  return request;
}

Reply TextReply(std::vector<std::string> texts, Decision decision = Decision::kAutoReply,
                Reason reason = Reason::kAnswered) {
  Reply reply;
  for (auto& text : texts) reply.messages.push_back(OutboundDraft{MessageType::kText, std::move(text), ""});
  reply.decision = decision;
  reply.reason = reason;
  reply.trace = R"([{"stage":"triage","ms":0.1}])";
  return reply;
}

class HandoffTest : public StoreFixture {
 protected:
  void SetUp() override { AddChannel(acme_, Platform("instagram"), kIgAccount, "IGQ-token"); }

  IngestOutcome Ingest(IngestRequest request) {
    auto outcome = IngestNow(std::move(request));
    EXPECT_TRUE(outcome) << outcome.error().detail;
    return outcome ? std::move(*outcome) : IngestOutcome{};
  }

  // Stores one customer message at `now` and returns its conversation, which must be pending.
  int64_t Customer(const std::string& mid, const std::string& text, int64_t now) {
    IngestOutcome outcome = Ingest(Messages(now, {Inbound(mid, text)}));
    EXPECT_EQ(outcome.stored, 1);
    EXPECT_EQ(outcome.pending.size(), 1u);
    return outcome.pending.empty() ? 0 : outcome.pending[0].conversation_id;
  }

  Claim MustClaim(int64_t conversation_id, int64_t now) {
    auto attempt = store_->ClaimConversation(conversation_id, now, kLease);
    EXPECT_TRUE(attempt && attempt->claim.has_value());
    return attempt && attempt->claim ? *attempt->claim : Claim{};
  }

  bool Claimable(int64_t conversation_id, int64_t now) {
    auto attempt = store_->ClaimConversation(conversation_id, now, kLease).value();
    if (attempt.claim) {
      EXPECT_TRUE(store_->ReleaseClaim(conversation_id, attempt.claim->token));
    }
    return attempt.claim.has_value();
  }

  Conversation GetConversation(int64_t conversation_id) {
    for (auto& c : store_->ListConversations(acme_, std::nullopt, 100).value().data) {
      if (c.id == conversation_id) return c;
    }
    ADD_FAILURE() << "no conversation " << conversation_id;
    return {};
  }

  std::vector<StoredMessage> Thread(int64_t conversation_id) {
    return store_->ListMessages(acme_, conversation_id, std::nullopt, 500).value().data;
  }

  // Answers the pending burst with `reply` at `now`.
  std::vector<int64_t> Answer(int64_t conversation_id, const Reply& reply, int64_t now) {
    Claim claim = MustClaim(conversation_id, now);
    std::vector<int64_t> ids;
    EXPECT_EQ(store_->CommitReply(claim, reply, now, &ids).value(), CommitResult::kCommitted);
    return ids;
  }
};

TEST_F(HandoffTest, ReplyOfSeveralMessagesIsQueuedInOrderWithItsTrace) {
  int64_t conversation = Customer("mid.1", "Tell me everything", kT0);
  Reply reply = TextReply({"Part one.", "Part two.", "Part three."});
  reply.messages[1].reply_to = "mid.1";
  std::vector<int64_t> ids = Answer(conversation, reply, kT0 + 10);
  ASSERT_EQ(ids.size(), 3u);
  EXPECT_LT(ids[0], ids[1]);
  EXPECT_LT(ids[1], ids[2]);

  auto queued = store_->ListQueuedOutbound().value();
  ASSERT_EQ(queued.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(queued[i].id, ids[i]);
    EXPECT_EQ(queued[i].draft.text, reply.messages[i].text);
    EXPECT_EQ(queued[i].recipient_id, "igsid-1");
  }
  EXPECT_EQ(queued[1].draft.reply_to, "mid.1");
  EXPECT_EQ(queued[0].draft.reply_to, "");

  auto thread = Thread(conversation);
  ASSERT_EQ(thread.size(), 4u);
  EXPECT_EQ(thread[1].direction, Direction::kOut);
  EXPECT_EQ(thread[1].status, MessageStatus::kQueued);
  EXPECT_EQ(thread[3].text, "Part three.");

  auto traces = store_->ListReplyTraces(acme_, conversation).value();
  ASSERT_EQ(traces.size(), 1u);
  EXPECT_EQ(traces[0].conversation_id, conversation);
  EXPECT_EQ(traces[0].message_id, ids[0]);
  EXPECT_EQ(traces[0].decision, "AUTO_REPLY");
  EXPECT_EQ(traces[0].reason, "answered");
  EXPECT_EQ(traces[0].trace, reply.trace);
  EXPECT_EQ(traces[0].created_at_ms, kT0 + 10);

  EXPECT_EQ(GetConversation(conversation).mode, "bot");
  EXPECT_EQ(GetConversation(conversation).last_message_at_ms, kT0 + 10);
  EXPECT_TRUE(store_->ListPendingConversations().value().empty());
  EXPECT_FALSE(Claimable(conversation, kT0 + 20));
}

TEST_F(HandoffTest, SilentReplyKeepsATraceWithoutMessageAndNoDecisionKeepsNone) {
  int64_t conversation = Customer("mid.1", "thanks", kT0);
  EXPECT_TRUE(Answer(conversation, TextReply({}, Decision::kIgnore, Reason::kAcknowledgement), kT0 + 1).empty());
  Customer("mid.2", "ok", kT0 + 2);
  Answer(conversation, Reply{}, kT0 + 3);  // No decision: nothing to keep.

  auto traces = store_->ListReplyTraces(acme_, conversation).value();
  ASSERT_EQ(traces.size(), 1u);
  EXPECT_FALSE(traces[0].message_id.has_value());
  EXPECT_EQ(traces[0].decision, "IGNORE");
  EXPECT_EQ(traces[0].reason, "acknowledgement");
  EXPECT_TRUE(store_->ListQueuedOutbound().value().empty());
  EXPECT_TRUE(store_->ListPendingConversations().value().empty());
  // Staying silent does not count as activity in the conversation list.
  EXPECT_EQ(GetConversation(conversation).last_message_at_ms, kT0 + 2);
  EXPECT_EQ(store_->ListReplyTraces(globex_, conversation).error().code, ErrorCode::kNotFound);
}

TEST_F(HandoffTest, HandOffSetsHumanModeWithReasonAndDeadline) {
  int64_t conversation = Customer("mid.1", "I want a human", kT0);
  Reply reply = TextReply({"A member of our team will answer you here."}, Decision::kEscalate, Reason::kHumanRequested);
  reply.hand_off = true;
  reply.human_idle_ms = kIdle;
  Answer(conversation, reply, kT0 + 5);

  Conversation c = GetConversation(conversation);
  EXPECT_EQ(c.mode, "human");
  EXPECT_EQ(c.handoff_reason, "human_requested");
  EXPECT_EQ(c.human_until_ms, kT0 + 5 + kIdle);
  EXPECT_EQ(store_->ListQueuedOutbound().value().size(), 1u);  // The hand-off message itself is sent.

  // Without an idle time, human mode lasts until the conversation is handed back.
  int64_t other = Ingest(Messages(kT0, {Inbound("mid.x", "Lawyer!", "igsid-2")})).pending.at(0).conversation_id;
  Reply forever = TextReply({"Passing you on."}, Decision::kEscalate, Reason::kLegal);
  forever.hand_off = true;
  Answer(other, forever, kT0 + 5);
  EXPECT_EQ(GetConversation(other).mode, "human");
  EXPECT_FALSE(GetConversation(other).human_until_ms.has_value());
}

TEST_F(HandoffTest, InHumanModeMessagesAreStoredButLeftToPeopleEvenAfterHandBack) {
  int64_t conversation = Customer("mid.1", "human please", kT0);
  Reply reply = TextReply({"Passing you on."}, Decision::kEscalate, Reason::kHumanRequested);
  reply.hand_off = true;  // Until handed back.
  Answer(conversation, reply, kT0 + 1);

  IngestOutcome outcome = Ingest(Messages(kT0 + 100, {Inbound("mid.2", "hello? anyone?")}));
  EXPECT_EQ(outcome.stored, 1);
  EXPECT_TRUE(outcome.pending.empty());
  EXPECT_TRUE(store_->ListPendingConversations().value().empty());
  EXPECT_FALSE(Claimable(conversation, kT0 + 200));
  EXPECT_EQ(Thread(conversation).back().text, "hello? anyone?");
  EXPECT_EQ(GetConversation(conversation).last_message_at_ms, kT0 + 100);

  auto back = store_->SetConversationMode(acme_, conversation, "bot", "", 0, kT0 + 300);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->mode, "bot");
  EXPECT_EQ(back->handoff_reason, "");
  EXPECT_FALSE(back->human_until_ms.has_value());
  // What came in while people had the conversation stays theirs.
  EXPECT_FALSE(Claimable(conversation, kT0 + 400));

  Customer("mid.3", "one more question", kT0 + 500);
  Claim claim = MustClaim(conversation, kT0 + 600);
  ASSERT_EQ(claim.messages.size(), 1u);
  EXPECT_EQ(claim.messages[0].text, "one more question");
}

TEST_F(HandoffTest, AfterHumanUntilPassesTheNextMessageGoesBackToTheBot) {
  int64_t conversation = Customer("mid.1", "human please", kT0);
  Reply reply = TextReply({"Passing you on."}, Decision::kEscalate, Reason::kHumanRequested);
  reply.hand_off = true;
  reply.human_idle_ms = 60'000;
  Answer(conversation, reply, kT0);

  EXPECT_TRUE(Ingest(Messages(kT0 + 59'999, {Inbound("mid.2", "still there?")})).pending.empty());
  EXPECT_EQ(GetConversation(conversation).mode, "human");

  IngestOutcome outcome = Ingest(Messages(kT0 + 60'000, {Inbound("mid.3", "what time do you open?")}));
  ASSERT_EQ(outcome.pending.size(), 1u);
  EXPECT_EQ(outcome.pending[0].conversation_id, conversation);
  EXPECT_EQ(outcome.pending[0].pending_since_ms, kT0 + 60'000);
  Conversation c = GetConversation(conversation);
  EXPECT_EQ(c.mode, "bot");
  EXPECT_EQ(c.handoff_reason, "");
  EXPECT_FALSE(c.human_until_ms.has_value());

  Claim claim = MustClaim(conversation, kT0 + 61'000);
  ASSERT_EQ(claim.messages.size(), 1u);  // "still there?" was the person's to answer.
  EXPECT_EQ(claim.messages[0].text, "what time do you open?");
}

TEST_F(HandoffTest, EchoOfAnUnknownMessageIsAPersonTakingOver) {
  int64_t conversation = Customer("mid.1", "do you ship to Canada?", kT0);
  IngestOutcome outcome = Ingest(Echo(kT0 + 10, "mid.echo.1", "Yes we do, I'll check the cost for you"));
  EXPECT_EQ(outcome.takeovers, 1);
  EXPECT_TRUE(outcome.pending.empty());

  auto thread = Thread(conversation);
  ASSERT_EQ(thread.size(), 2u);
  const StoredMessage& echo = thread[1];
  EXPECT_EQ(echo.direction, Direction::kOut);
  EXPECT_EQ(echo.status, MessageStatus::kSent);
  EXPECT_EQ(echo.platform_message_id, "mid.echo.1");
  EXPECT_EQ(echo.text, "Yes we do, I'll check the cost for you");
  EXPECT_EQ(echo.details.at("sent_by").as_string(), "person");

  Conversation c = GetConversation(conversation);
  EXPECT_EQ(c.mode, "human");
  EXPECT_EQ(c.handoff_reason, "takeover");
  EXPECT_EQ(c.human_until_ms, kT0 + 10 + kIdle);
  // The customer's question is the person's now.
  EXPECT_TRUE(store_->ListPendingConversations().value().empty());
  EXPECT_FALSE(Claimable(conversation, kT0 + 20));
  EXPECT_TRUE(store_->ListQueuedOutbound().value().empty());
}

TEST_F(HandoffTest, EchoToANewContactOpensAConversationInHumanMode) {
  IngestOutcome outcome = Ingest(Echo(kT0, "mid.echo.1", "Hi! Thanks for following us", "igsid-9"));
  EXPECT_EQ(outcome.takeovers, 1);
  auto conversations = store_->ListConversations(acme_, std::nullopt, 10).value().data;
  ASSERT_EQ(conversations.size(), 1u);
  EXPECT_EQ(conversations[0].contact.platform_id, "igsid-9");
  EXPECT_EQ(conversations[0].mode, "human");
  // The customer's answer is the person's.
  EXPECT_TRUE(Ingest(Messages(kT0 + 1, {Inbound("mid.2", "thanks!", "igsid-9")})).pending.empty());
}

TEST_F(HandoffTest, EchoOfAQueuedReplyIsRecognisedAsParleysOwn) {
  int64_t conversation = Customer("mid.1", "hours?", kT0);
  std::vector<int64_t> ids = Answer(conversation, TextReply({"We open at nine."}), kT0 + 1);
  ASSERT_EQ(ids.size(), 1u);

  // The echo overtakes the send call's answer: same text, still queued without a platform id.
  IngestOutcome outcome = Ingest(Echo(kT0 + 2, "mid.out.1", "We open at nine."));
  EXPECT_EQ(outcome.takeovers, 0);
  auto thread = Thread(conversation);
  ASSERT_EQ(thread.size(), 2u);
  EXPECT_EQ(thread[1].id, ids[0]);
  EXPECT_EQ(thread[1].platform_message_id, "mid.out.1");
  EXPECT_EQ(GetConversation(conversation).mode, "bot");

  // The send result that follows completes the same message.
  ASSERT_TRUE(store_->RecordSendResult(ids[0], "mid.out.1", MessageStatus::kSent, std::nullopt));
  EXPECT_EQ(Thread(conversation)[1].status, MessageStatus::kSent);
  EXPECT_EQ(Thread(conversation).size(), 2u);
}

TEST_F(HandoffTest, EchoOfAnAlreadyRecordedMessageChangesNothing) {
  int64_t conversation = Customer("mid.1", "hours?", kT0);
  std::vector<int64_t> ids = Answer(conversation, TextReply({"We open at nine."}), kT0 + 1);
  ASSERT_TRUE(store_->RecordSendResult(ids.at(0), "mid.out.1", MessageStatus::kSent, std::nullopt));

  EXPECT_EQ(Ingest(Echo(kT0 + 2, "mid.out.1", "We open at nine.")).takeovers, 0);
  EXPECT_EQ(Thread(conversation).size(), 2u);
  EXPECT_EQ(GetConversation(conversation).mode, "bot");

  // A person's echo retried by Meta is recorded once.
  EXPECT_EQ(Ingest(Echo(kT0 + 3, "mid.person.1", "Anything else?")).takeovers, 1);
  EXPECT_EQ(Ingest(Echo(kT0 + 4, "mid.person.1", "Anything else?")).takeovers, 0);
  EXPECT_EQ(Thread(conversation).size(), 3u);
  // The retry did not push the deadline.
  EXPECT_EQ(GetConversation(conversation).human_until_ms, kT0 + 3 + kIdle);
}

TEST_F(HandoffTest, ClaimTakenBeforeATakeoverCannotCommit) {
  int64_t conversation = Customer("mid.1", "price of the blue bag?", kT0);
  Claim claim = MustClaim(conversation, kT0 + 1);
  ASSERT_EQ(Ingest(Echo(kT0 + 2, "mid.person.1", "It's 40 euros")).takeovers, 1);

  std::vector<int64_t> ids{42};
  EXPECT_EQ(store_->CommitReply(claim, TextReply({"The blue bag costs 45 euros."}), kT0 + 3, &ids).value(),
            CommitResult::kSuperseded);
  EXPECT_TRUE(store_->ListQueuedOutbound().value().empty());
  EXPECT_TRUE(store_->ListReplyTraces(acme_, conversation).value().empty());
  EXPECT_EQ(GetConversation(conversation).mode, "human");

  // The same holds for a person taking over from Parley's own API.
  Customer("mid.2", "thanks", kT0 + 4 + kIdle);  // Back to the bot after the idle time.
  Claim second = MustClaim(conversation, kT0 + 5 + kIdle);
  ASSERT_TRUE(store_->SetConversationMode(acme_, conversation, "human", "", 0, kT0 + 6 + kIdle));
  EXPECT_EQ(store_->CommitReply(second, TextReply({"You're welcome"}), kT0 + 7 + kIdle, &ids).value(),
            CommitResult::kSuperseded);
  EXPECT_TRUE(store_->ListQueuedOutbound().value().empty());
}

TEST_F(HandoffTest, SetConversationMode) {
  int64_t conversation = Customer("mid.1", "hello", kT0);
  auto human = store_->SetConversationMode(acme_, conversation, "human", "", 0, kT0 + 1);
  ASSERT_TRUE(human);
  EXPECT_EQ(human->id, conversation);
  EXPECT_EQ(human->mode, "human");
  EXPECT_EQ(human->handoff_reason, "manual");
  EXPECT_FALSE(human->human_until_ms.has_value());
  // Taking over leaves the pending message to the person.
  EXPECT_TRUE(store_->ListPendingConversations().value().empty());

  auto timed = store_->SetConversationMode(acme_, conversation, "human", "vip", 1000, kT0 + 2);
  ASSERT_TRUE(timed);
  EXPECT_EQ(timed->handoff_reason, "vip");
  EXPECT_EQ(timed->human_until_ms, kT0 + 1002);

  auto bot = store_->SetConversationMode(acme_, conversation, "bot", "ignored", 1000, kT0 + 3);
  ASSERT_TRUE(bot);
  EXPECT_EQ(bot->mode, "bot");
  EXPECT_EQ(bot->handoff_reason, "");
  EXPECT_FALSE(bot->human_until_ms.has_value());

  EXPECT_EQ(store_->SetConversationMode(globex_, conversation, "human", "", 0, kT0).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->SetConversationMode(globex_, conversation, "bot", "", 0, kT0).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(GetConversation(conversation).mode, "bot");
  EXPECT_EQ(store_->SetConversationMode(acme_, 9999, "bot", "", 0, kT0).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->SetConversationMode(acme_, conversation, "robot", "", 0, kT0).error().code,
            ErrorCode::kInvalidArgument);
}

TEST_F(HandoffTest, RecentMessagesAreTheLastOnesBeforeAnIdOldestFirst) {
  int64_t conversation = Customer("mid.1", "one", kT0);
  Answer(conversation, TextReply({"reply one"}), kT0 + 1);
  Customer("mid.2", "two", kT0 + 2);
  Customer("mid.3", "three (unsent)", kT0 + 3);
  IngestRequest unsend;
  unsend.platform = Platform("instagram");
  unsend.received_at_ms = kT0 + 4;
  unsend.deletions.push_back(Deletion{Platform("instagram"), kIgAccount, "mid.3", "igsid-1"});
  Ingest(unsend);
  Customer("mid.4", "four", kT0 + 5);
  int64_t four = Thread(conversation).back().id;

  auto texts = [](const std::vector<StoredMessage>& messages) {
    std::vector<std::string> out;
    for (const auto& m : messages) out.push_back(m.text.value_or(""));
    return out;
  };
  EXPECT_EQ(texts(store_->RecentMessages(conversation, four, 2).value()),
            (std::vector<std::string>{"reply one", "two"}));
  EXPECT_EQ(texts(store_->RecentMessages(conversation, four, 10).value()),
            (std::vector<std::string>{"one", "reply one", "two"}));
  auto recent = store_->RecentMessages(conversation, four, 10).value();
  EXPECT_EQ(recent[1].direction, Direction::kOut);
  EXPECT_TRUE(store_->RecentMessages(conversation, four, 0).value().empty());
  EXPECT_TRUE(store_->RecentMessages(conversation, recent[0].id, 10).value().empty());
}

// --- The shared inbox: support queue, assignment, closing, people's replies and filters ---

Reply Escalation(Reason reason) {
  Reply reply = TextReply({"A member of our team will answer you here."}, Decision::kEscalate, reason);
  reply.hand_off = true;
  reply.human_idle_ms = kIdle;
  return reply;
}

TEST_F(HandoffTest, EscalationOpensOneSupportItemThatHandingBackResolves) {
  int64_t conversation = Customer("mid.1", "I want a human", kT0);
  Answer(conversation, Escalation(Reason::kHumanRequested), kT0 + 5);
  auto open = store_->ListSupportItems(acme_, std::string("open"), std::nullopt, 50).value().data;
  ASSERT_EQ(open.size(), 1u);
  EXPECT_EQ(open[0].conversation_id, conversation);
  EXPECT_EQ(open[0].reason, "human_requested");
  EXPECT_TRUE(store_->ListSupportItems(globex_, std::nullopt, std::nullopt, 50).value().data.empty());

  ASSERT_TRUE(store_->SetConversationMode(acme_, conversation, "bot", "", 0, kT0 + 10));
  auto all = store_->ListSupportItems(acme_, std::nullopt, std::nullopt, 50).value().data;
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].status, "resolved");
  EXPECT_EQ(all[0].resolved_by, "hand_back");
  EXPECT_EQ(all[0].resolved_at_ms, kT0 + 10);
}

TEST_F(HandoffTest, ResolvingASupportItemOptionallyHandsBackAndOnlyOnce) {
  int64_t conversation = Customer("mid.1", "I want a human", kT0);
  Answer(conversation, Escalation(Reason::kHumanRequested), kT0 + 5);
  int64_t item = store_->ListSupportItems(acme_, std::nullopt, std::nullopt, 50).value().data.at(0).id;
  EXPECT_EQ(store_->ResolveSupportItem(globex_, item, "user:9", true, kT0 + 6).error().code, ErrorCode::kNotFound);
  SupportItem resolved = store_->ResolveSupportItem(acme_, item, "user:1", /*hand_back=*/false, kT0 + 6).value();
  EXPECT_EQ(resolved.status, "resolved");
  EXPECT_EQ(resolved.resolved_by, "user:1");
  EXPECT_EQ(GetConversation(conversation).mode, "human");
  EXPECT_EQ(store_->ResolveSupportItem(acme_, item, "user:1", true, kT0 + 7).error().code, ErrorCode::kConflict);

  // A second escalation opens a new item; resolving it with hand_back returns the conversation to the bot.
  ASSERT_TRUE(store_->SetConversationMode(acme_, conversation, "bot", "", 0, kT0 + 8));
  Ingest(Messages(kT0 + 9, {Inbound("mid.2", "Still need a human")}));
  Answer(conversation, Escalation(Reason::kHumanRequested), kT0 + 10);
  auto open = store_->ListSupportItems(acme_, std::string("open"), std::nullopt, 50).value().data;
  ASSERT_EQ(open.size(), 1u);
  ASSERT_TRUE(store_->ResolveSupportItem(acme_, open[0].id, "user:1", /*hand_back=*/true, kT0 + 11));
  EXPECT_EQ(GetConversation(conversation).mode, "bot");
}

TEST_F(HandoffTest, AssignmentIsToAUserOfTheSameTenant) {
  int64_t conversation = Customer("mid.1", "Hello", kT0);
  int64_t ana = store_->access().CreateUser({acme_, "ana@acme.test", "", "agent", "h"}).value().id;
  int64_t gus = store_->access().CreateUser({globex_, "gus@globex.test", "", "agent", "h"}).value().id;
  EXPECT_EQ(store_->AssignConversation(acme_, conversation, gus).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->AssignConversation(globex_, conversation, gus).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->AssignConversation(acme_, conversation, ana).value().assignee_user_id, ana);
  EXPECT_EQ(store_->GetConversation(acme_, conversation).value().assignee_user_id, ana);
  EXPECT_EQ(store_->GetConversation(globex_, conversation).error().code, ErrorCode::kNotFound);
  EXPECT_FALSE(store_->AssignConversation(acme_, conversation, std::nullopt).value().assignee_user_id);
  // A user who leaves leaves their conversations unassigned.
  ASSERT_TRUE(store_->AssignConversation(acme_, conversation, ana));
  ASSERT_TRUE(store_->access().DeleteUser(acme_, ana));
  EXPECT_FALSE(store_->GetConversation(acme_, conversation).value().assignee_user_id);
}

TEST_F(HandoffTest, ClosingLeavesNothingPendingVoidsTheClaimAndTheNextMessageOpensANewConversation) {
  int64_t conversation = Customer("mid.1", "Hello", kT0);
  Claim claim = MustClaim(conversation, kT0 + 1);
  Conversation closed = store_->CloseConversation(acme_, conversation, kT0 + 2).value();
  EXPECT_EQ(closed.status, "closed");
  EXPECT_NE(store_->CommitReply(claim, TextReply({"Hi!"}), kT0 + 3, nullptr).value(), CommitResult::kCommitted);
  EXPECT_TRUE(store_->ListQueuedOutbound().value().empty());
  EXPECT_FALSE(Claimable(conversation, kT0 + 4));
  EXPECT_EQ(store_->CloseConversation(globex_, conversation, kT0).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->QueuePersonReply(acme_, conversation, "Hi", "user:1", kIdle, kT0 + 5, testing::kInstagramWindow)
                .error()
                .code,
            ErrorCode::kConflict);

  int64_t reopened = Customer("mid.2", "Me again", kT0 + 10);
  EXPECT_NE(reopened, conversation);
  EXPECT_EQ(GetConversation(reopened).status, "open");
}

TEST_F(HandoffTest, APersonsReplyIsQueuedLikeTheBotsAndSilencesTheBot) {
  int64_t conversation = Customer("mid.1", "Hello?", kT0);
  OutboundMessage queued =
      store_
          ->QueuePersonReply(acme_, conversation, "Hi, Ana here.", "user:7", kIdle, kT0 + 1, testing::kInstagramWindow)
          .value();
  EXPECT_EQ(queued.draft.text, "Hi, Ana here.");
  EXPECT_EQ(queued.recipient_id, "igsid-1");
  EXPECT_EQ(queued.channel.access_token, "IGQ-token");
  EXPECT_EQ(store_->ListQueuedOutbound().value().size(), 1u);
  Conversation c = GetConversation(conversation);
  EXPECT_EQ(c.mode, "human");
  EXPECT_EQ(c.human_until_ms, kT0 + 1 + kIdle);
  EXPECT_FALSE(Claimable(conversation, kT0 + 2));  // The pending message is the person's now.
  auto thread = Thread(conversation);
  ASSERT_EQ(thread.size(), 2u);
  EXPECT_EQ(thread[1].details.at("sent_by"), "person");
  EXPECT_EQ(thread[1].details.at("author"), "user:7");
  EXPECT_EQ(store_->QueuePersonReply(globex_, conversation, "x", "user:9", kIdle, kT0, testing::kInstagramWindow)
                .error()
                .code,
            ErrorCode::kNotFound);
  EXPECT_EQ(
      store_->QueuePersonReply(acme_, conversation, "", "user:7", kIdle, kT0, testing::kInstagramWindow).error().code,
      ErrorCode::kInvalidArgument);
}

TEST_F(HandoffTest, WhatsAppRepliesFromPeopleStayWithinTheCustomerServiceWindow) {
  ASSERT_TRUE(store_->AddChannel({acme_, Platform("whatsapp"), "phone-1", "EAAG-token"}));
  InboundItem item = Inbound("wamid.1", "Hello", "33600000001");
  item.message.platform = Platform("whatsapp");
  item.message.account_id = "phone-1";
  IngestRequest request = Messages(kT0, {item});
  request.platform = Platform("whatsapp");
  int64_t conversation = Ingest(std::move(request)).pending.at(0).conversation_id;
  constexpr int64_t kDay = 24 * 3600 * 1000;
  auto late = store_->QueuePersonReply(acme_, conversation, "Sorry for the wait", "user:1", kIdle, kT0 + kDay + 1,
                                       testing::kWhatsAppWindow);
  EXPECT_EQ(late.error().code, ErrorCode::kConflict);
  EXPECT_NE(late.error().message.find("24 hours"), std::string::npos);
  EXPECT_TRUE(store_->QueuePersonReply(acme_, conversation, "On it", "user:1", kIdle, kT0 + kDay - 1,
                                       testing::kWhatsAppWindow));
}

TEST_F(HandoffTest, InstagramRepliesFromPeopleAfterADayCarryTheHumanAgentTagForUpToAWeek) {
  int64_t conversation = Customer("mid.1", "Hello?", kT0);
  constexpr int64_t kDay = 24 * 3600 * 1000;
  OutboundMessage prompt =
      store_->QueuePersonReply(acme_, conversation, "Hi!", "user:1", kIdle, kT0 + 1, testing::kInstagramWindow).value();
  EXPECT_FALSE(prompt.draft.human_agent);
  OutboundMessage late = store_
                             ->QueuePersonReply(acme_, conversation, "Sorry for the wait", "user:1", kIdle,
                                                kT0 + 3 * kDay, testing::kInstagramWindow)
                             .value();
  EXPECT_TRUE(late.draft.human_agent);
  EXPECT_TRUE(store_->GetOutbound(late.id).value().draft.human_agent);
  auto too_late = store_->QueuePersonReply(acme_, conversation, "Still there?", "user:1", kIdle, kT0 + 8 * kDay,
                                           testing::kInstagramWindow);
  EXPECT_EQ(too_late.error().code, ErrorCode::kConflict);
  EXPECT_NE(too_late.error().message.find("7 days"), std::string::npos);
}

TEST_F(HandoffTest, TheInboxFiltersByChannelStatusModeAssigneeActivityAndText) {
  int64_t first = Customer("mid.1", "Where is my blue bag?", kT0);
  int64_t second =
      Ingest(Messages(kT0 + 1000, {Inbound("mid.2", "Opening hours?", "igsid-2")})).pending.at(0).conversation_id;
  int64_t ana = store_->access().CreateUser({acme_, "ana@acme.test", "", "agent", "h"}).value().id;
  ASSERT_TRUE(store_->AssignConversation(acme_, second, ana));
  ASSERT_TRUE(store_->SetConversationMode(acme_, first, "human", "manual", 0, kT0 + 2000));
  auto ids = [&](const ConversationFilter& filter) {
    std::vector<int64_t> out;
    for (const auto& c : store_->ListConversations(acme_, filter, std::nullopt, 50).value().data) out.push_back(c.id);
    return out;
  };
  // Messages are indexed for search in the background.
  ASSERT_TRUE(store_->inbox().FlushSearchIndex());
  EXPECT_EQ(ids({}), (std::vector<int64_t>{first, second}));  // first: the person's takeover is newer activity
  EXPECT_EQ(ids({.mode = "human"}), (std::vector<int64_t>{first}));
  EXPECT_EQ(ids({.assignee_user_id = ana}), (std::vector<int64_t>{second}));
  EXPECT_EQ(ids({.assignee_user_id = 0}), (std::vector<int64_t>{first}));
  EXPECT_EQ(ids({.text = "BLUE bag"}), (std::vector<int64_t>{first}));
  EXPECT_EQ(ids({.text = "igsid-2"}), (std::vector<int64_t>{second}));
  EXPECT_EQ(ids({.text = "100%"}), (std::vector<int64_t>{}));
  EXPECT_EQ(ids({.active_since_ms = kT0 + 500, .active_before_ms = kT0 + 1500}), (std::vector<int64_t>{second}));
  EXPECT_EQ(ids({.status = "closed"}), (std::vector<int64_t>{}));
  int64_t channel = GetConversation(first).channel_id;
  EXPECT_EQ(ids({.channel_id = channel}).size(), 2u);
  EXPECT_EQ(ids({.channel_id = channel + 100}).size(), 0u);
  EXPECT_TRUE(store_->ListConversations(globex_, {}, std::nullopt, 50).value().data.empty());
}

}  // namespace
}  // namespace parley::store::sqlite
