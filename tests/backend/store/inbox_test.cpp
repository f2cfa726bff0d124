// The inbox on every backend: the filters (platform, waiting on a person), unread counts against the team's read
// marker, the last message's preview, private notes and canned replies. Its full-text search is SQLite's alone for
// now (tests/unit/store/inbox_store_test.cpp).

#include "store_test.h"

#include "store/inbox_store.h"

namespace parley::store::testing {
namespace {

constexpr char kIgAccount[] = "ig-1";         //!< Acme's Instagram account.
constexpr char kOtherAccount[] = "wa-other";  //!< Globex's WhatsApp number.

class InboxTest : public StoreTest {
 protected:
  InboxTest() {
    globex_ = store_->CreateTenant("Globex", crypto::Sha256Hex("key-globex")).value().id;
    store_->AddChannel({acme_, Platform::kInstagram, kIgAccount, "t"}).value();
    store_->AddChannel({globex_, Platform::kWhatsApp, kOtherAccount, "t"}).value();
  }

  // A customer message through the webhook path; returns its conversation.
  int64_t Customer(const std::string& account, const std::string& contact, const std::string& text,
                   const std::string& name = "", MessageType type = MessageType::kText) {
    const Platform platform = account == kIgAccount ? Platform::kInstagram : Platform::kWhatsApp;
    IngestRequest request = Request(now_, {Inbound("mid." + std::to_string(++next_mid_), contact, text, account)});
    request.platform = platform;
    request.messages[0].message.platform = platform;
    request.messages[0].message.contact_name = name;
    request.messages[0].message.type = type;
    request.messages[0].answerable = type != MessageType::kReaction;
    now_ += 1000;
    auto outcome = Ingest(std::move(request));
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

  std::vector<int64_t> Ids(const ConversationFilter& filter, int64_t tenant = 0) {
    std::vector<int64_t> ids;
    auto page = store_->ListConversations(tenant ? tenant : acme_, filter, std::nullopt, 50);
    EXPECT_TRUE(page) << page.error().message;
    if (page) {
      for (const auto& c : page->data) ids.push_back(c.id);
    }
    return ids;
  }

  ConversationSummary Summary(int64_t conversation) {
    auto summaries = store_->inbox().Summaries(acme_, {conversation}).value();
    EXPECT_EQ(summaries.size(), 1u);
    return summaries.empty() ? ConversationSummary{} : summaries[0];
  }

  const int64_t acme_ = tenant_.id;
  int64_t globex_ = 0;
  int64_t now_ = kT0;
  int next_mid_ = 0;
};

INSTANTIATE_TEST_SUITE_P(Backends, InboxTest, ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         [](const auto& info) { return BackendName(info.param); });

TEST_P(InboxTest, FiltersByPlatformAndByWaitingOnAPerson) {
  int64_t wa = Customer(kAccount, "33600000001", "Hello");
  int64_t ig = Customer(kIgAccount, "igsid-1", "Hello");
  EXPECT_EQ(Ids({.platform = Platform::kInstagram}), (std::vector<int64_t>{ig}));
  EXPECT_EQ(Ids({.platform = Platform::kWhatsApp}), (std::vector<int64_t>{wa}));

  // Bot mode: nobody waits on a person.
  EXPECT_TRUE(Ids({.waiting = true}).empty());
  ASSERT_TRUE(store_->SetConversationMode(acme_, wa, "human", "manual", 0, now_));
  ASSERT_TRUE(store_->SetConversationMode(acme_, ig, "human", "manual", 0, now_));
  // Both customers spoke last; then a person answers one of them.
  EXPECT_EQ(Ids({.waiting = true}), (std::vector<int64_t>{ig, wa}));
  ASSERT_TRUE(store_->QueuePersonReply(acme_, wa, "Hi, how can I help?", "user:1", 0, now_));
  EXPECT_EQ(Ids({.waiting = true}), (std::vector<int64_t>{ig}));
  EXPECT_EQ(Ids({.waiting = false}), (std::vector<int64_t>{wa}));
  // A note or a reaction from the customer changes nothing; a new question does.
  ASSERT_TRUE(store_->inbox().AddNote(acme_, wa, "VIP customer", "user:1", 1, now_));
  Customer(kAccount, "33600000001", "👍", "", MessageType::kReaction);
  EXPECT_EQ(Ids({.waiting = true}), (std::vector<int64_t>{ig}));
  Customer(kAccount, "33600000001", "One more thing");
  EXPECT_EQ(Ids({.waiting = true}), (std::vector<int64_t>{wa, ig}));
  ASSERT_TRUE(store_->CloseConversation(acme_, wa, now_));
  EXPECT_EQ(Ids({.waiting = true}), (std::vector<int64_t>{ig}));
}

TEST_P(InboxTest, UnreadCountsCustomerMessagesSinceTheTeamsReadMarker) {
  int64_t conversation = Customer(kAccount, "33600000001", "Hello");
  Customer(kAccount, "33600000001", "Are you there?");
  ConversationSummary summary = Summary(conversation);
  EXPECT_EQ(summary.unread_count, 2);
  ASSERT_TRUE(summary.last_message);
  EXPECT_EQ(summary.last_message->text, "Are you there?");
  EXPECT_EQ(summary.last_message->direction, Direction::kIn);

  ConversationSummary read = store_->inbox().MarkRead(acme_, conversation, now_).value();
  EXPECT_EQ(read.unread_count, 0);
  EXPECT_EQ(Summary(conversation).unread_count, 0);
  ASSERT_TRUE(store_->QueuePersonReply(acme_, conversation, "Yes!", "user:1", 0, now_));
  EXPECT_EQ(Summary(conversation).unread_count, 0);  // the business's own messages are never unread
  EXPECT_EQ(Summary(conversation).last_message->direction, Direction::kOut);
  Customer(kAccount, "33600000001", std::string(300, 'a'));
  summary = Summary(conversation);
  EXPECT_EQ(summary.unread_count, 1);
  EXPECT_EQ(summary.last_message->text.size(), kPreviewCodePoints);

  EXPECT_EQ(store_->inbox().MarkRead(globex_, conversation, now_).error().code, ErrorCode::kNotFound);
  EXPECT_TRUE(store_->inbox().Summaries(globex_, {conversation}).value().empty());
}

TEST_P(InboxTest, NotesStayInTheTeamsThreadAndOutOfTheAgentsHistory) {
  int64_t conversation = Customer(kAccount, "33600000001", "My parcel is late");
  const int64_t activity = store_->GetConversation(acme_, conversation).value().last_message_at_ms;
  StoredMessage note =
      store_->inbox().AddNote(acme_, conversation, "Checked: courier strike", "user:7", 7, now_ + 5).value();
  EXPECT_EQ(note.type, MessageType::kNote);
  EXPECT_EQ(note.direction, Direction::kOut);
  EXPECT_EQ(note.details.at("author_user_id").as_int64(), 7);
  EXPECT_EQ(note.details.at("author").as_string(), "user:7");

  auto thread = store_->ListMessages(acme_, conversation, std::nullopt, 50).value().data;
  ASSERT_EQ(thread.size(), 2u);
  EXPECT_EQ(thread[1].type, MessageType::kNote);
  auto history = store_->RecentMessages(conversation, note.id + 1, 50).value();
  ASSERT_EQ(history.size(), 1u);
  EXPECT_EQ(history[0].text, "My parcel is late");
  EXPECT_TRUE(store_->ListQueuedOutbound().value().empty());  // never sent
  EXPECT_EQ(store_->GetConversation(acme_, conversation).value().last_message_at_ms, activity);
  EXPECT_EQ(Summary(conversation).last_message->text, "My parcel is late");
  EXPECT_EQ(Summary(conversation).unread_count, 0);  // whoever writes a note has read the thread

  EXPECT_EQ(store_->inbox().AddNote(globex_, conversation, "x", "user:1", 1, now_).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->inbox().AddNote(acme_, conversation, "", "user:1", 1, now_).error().code,
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(store_->inbox().GetMessage(globex_, conversation, note.id).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->inbox().GetMessage(acme_, conversation, note.id).value().text, "Checked: courier strike");
}

TEST_P(InboxTest, CannedRepliesAreUniquePerTenantAndListedByShortcutPrefix) {
  InboxStore& inbox = store_->inbox();
  CannedReply hours = inbox.CreateCannedReply(acme_, "hours", "We are open 9-18.", now_).value();
  ASSERT_TRUE(inbox.CreateCannedReply(acme_, "holidays", "Closed on 25/12.", now_));
  ASSERT_TRUE(inbox.CreateCannedReply(acme_, "refund", "Refunds take 5 days.", now_));
  ASSERT_TRUE(inbox.CreateCannedReply(globex_, "hours", "Theirs.", now_));  // per tenant
  EXPECT_EQ(inbox.CreateCannedReply(acme_, "hours", "Again", now_).error().code, ErrorCode::kConflict);
  EXPECT_EQ(inbox.CreateCannedReply(acme_, "Bad Shortcut", "x", now_).error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(inbox.CreateCannedReply(acme_, "empty", "", now_).error().code, ErrorCode::kInvalidArgument);

  auto shortcuts = [&](const std::string& prefix) {
    std::vector<std::string> out;
    for (const auto& reply : inbox.ListCannedReplies(acme_, prefix).value()) out.push_back(reply.shortcut);
    return out;
  };
  EXPECT_EQ(shortcuts(""), (std::vector<std::string>{"holidays", "hours", "refund"}));
  EXPECT_EQ(shortcuts("ho"), (std::vector<std::string>{"holidays", "hours"}));
  EXPECT_EQ(shortcuts("hou"), (std::vector<std::string>{"hours"}));
  EXPECT_TRUE(shortcuts("x").empty());

  EXPECT_EQ(inbox.UpdateCannedReply(acme_, hours.id, "refund", "x", now_).error().code, ErrorCode::kConflict);
  CannedReply renamed = inbox.UpdateCannedReply(acme_, hours.id, "opening", "9-18, Mon-Sat", now_ + 1).value();
  EXPECT_EQ(renamed.shortcut, "opening");
  EXPECT_EQ(renamed.updated_at_ms, now_ + 1);
  EXPECT_EQ(inbox.UpdateCannedReply(globex_, hours.id, "mine", "x", now_).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(inbox.DeleteCannedReply(globex_, hours.id).error().code, ErrorCode::kNotFound);
  ASSERT_TRUE(inbox.DeleteCannedReply(acme_, hours.id));
  EXPECT_EQ(shortcuts(""), (std::vector<std::string>{"holidays", "refund"}));
}

}  // namespace
}  // namespace parley::store::testing
