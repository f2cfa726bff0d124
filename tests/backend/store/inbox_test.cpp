// The inbox on every backend: the filters (platform, waiting on a person), the text search (accents, case, the word
// being typed, contacts' names and ids, notes, tenant isolation, unsent messages, paging through many matches),
// unread counts against the team's read marker, the last message's preview, private notes and canned replies.

#include "store_test.h"
#include "support/platform_rules.h"

#include "store/inbox_store.h"

namespace parley::store::testing {
namespace {

constexpr char kIgAccount[] = "ig-1";         //!< Acme's Instagram account.
constexpr char kOtherAccount[] = "wa-other";  //!< Globex's WhatsApp number.

class InboxTest : public StoreTest {
 protected:
  InboxTest() {
    globex_ = store_->CreateTenant("Globex", crypto::Sha256Hex("key-globex")).value().id;
    store_->AddChannel({acme_, Platform("instagram"), kIgAccount, "t"}).value();
    store_->AddChannel({globex_, Platform("whatsapp"), kOtherAccount, "t"}).value();
  }

  // A customer message through the webhook path; returns its conversation.
  int64_t Customer(const std::string& account, const std::string& contact, const std::string& text,
                   const std::string& name = "", MessageType type = MessageType::kText) {
    const Platform platform = account == kIgAccount ? Platform("instagram") : Platform("whatsapp");
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

  std::vector<int64_t> Search(const std::string& text, int64_t tenant = 0) {
    ConversationFilter filter;
    filter.text = text;
    return Ids(filter, tenant);
  }

  std::vector<int64_t> Ids(const ConversationFilter& filter, int64_t tenant = 0) {
    std::vector<int64_t> ids;
    // SQLite indexes messages for search in the background; the test searches at once.
    if (filter.text) {
      EXPECT_TRUE(store_->inbox().FlushSearchIndex());
    }
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
  EXPECT_EQ(Ids({.platform = Platform("instagram")}), (std::vector<int64_t>{ig}));
  EXPECT_EQ(Ids({.platform = Platform("whatsapp")}), (std::vector<int64_t>{wa}));

  // Bot mode: nobody waits on a person.
  EXPECT_TRUE(Ids({.waiting = true}).empty());
  ASSERT_TRUE(store_->SetConversationMode(acme_, wa, "human", "manual", 0, now_));
  ASSERT_TRUE(store_->SetConversationMode(acme_, ig, "human", "manual", 0, now_));
  // Both customers spoke last; then a person answers one of them.
  EXPECT_EQ(Ids({.waiting = true}), (std::vector<int64_t>{ig, wa}));
  ASSERT_TRUE(
      store_->QueuePersonReply(acme_, wa, "Hi, how can I help?", "user:1", 0, now_, parley::testing::kWhatsAppWindow));
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

// The window opens at the customer's last message of any kind, at the time it was sent: a backlog delivered late
// (stored, not answered by the bot) still lets a person reply, with the HUMAN_AGENT tag past the first day.
TEST_P(InboxTest, APersonsReplyWindowOpensWhenTheCustomerSentTheirLastMessage) {
  const int64_t two_days = 2 * parley::testing::kWindowDayMs;
  IngestRequest late = Request(now_, {Inbound("mid.late", "igsid-9", "Is my order ready?", kIgAccount)});
  late.platform = Platform("instagram");
  late.messages[0].message.platform = Platform("instagram");
  late.messages[0].message.timestamp_ms = now_ - two_days;
  late.messages[0].answerable = false;
  ASSERT_TRUE(Ingest(std::move(late)));
  const auto conversations = store_->ListConversations(acme_, std::nullopt, 10).value().data;
  ASSERT_EQ(conversations.size(), 1u);
  EXPECT_EQ(conversations[0].customer_wrote_at_ms, now_ - two_days);
  auto reply = store_->QueuePersonReply(acme_, conversations[0].id, "Yes, come by.", "user:1", 0, now_,
                                        parley::testing::kInstagramWindow);
  ASSERT_TRUE(reply) << reply.error().message;
  EXPECT_TRUE(reply->draft.human_agent);

  // A WhatsApp customer's reaction an hour ago opens the 24 hours too; a sender's clock ahead of the arrival does
  // not extend them.
  const int64_t wa = Customer(kAccount, "33600000002", "👍", "", MessageType::kReaction);
  const Conversation reacted = store_->GetConversation(acme_, wa).value();
  EXPECT_EQ(reacted.customer_wrote_at_ms, kT0 - 1'000);
  EXPECT_TRUE(
      store_->QueuePersonReply(acme_, wa, "Glad you like it", "user:1", 0, now_, parley::testing::kWhatsAppWindow));
}

TEST_P(InboxTest, SearchFoldsAccentsAndCaseAndMatchesTheWordBeingTyped) {
  int64_t cake = Customer(kAccount, "33600000001", "Je voudrais un GÂTEAU d'anniversaire");
  int64_t bread = Customer(kAccount, "33600000002", "Avez-vous du pain sans gluten ?");
  EXPECT_EQ(Search("gateau"), (std::vector<int64_t>{cake}));
  EXPECT_EQ(Search("Gâteau"), (std::vector<int64_t>{cake}));
  EXPECT_EQ(Search("anniv"), (std::vector<int64_t>{cake}));      // the word being typed
  EXPECT_EQ(Search("pain glu"), (std::vector<int64_t>{bread}));  // every word, the last as a prefix
  EXPECT_TRUE(Search("pain gateau").empty());                    // every word in one message
  EXPECT_TRUE(Search("ateau").empty());                          // words, not substrings
  EXPECT_TRUE(Search("g").empty());                              // one character: a whole word, not a prefix
  EXPECT_TRUE(Search("%").empty());
  EXPECT_TRUE(Search(" \t ").empty());
  EXPECT_TRUE(Search("\"OR\" AND NOT *").empty());  // query syntax is text
  int64_t hello = Customer(kAccount, "33600000003", "ПРИВЕТ из Москвы");
  EXPECT_EQ(Search("привет моск"), (std::vector<int64_t>{hello}));  // other scripts than Latin
}

TEST_P(InboxTest, SearchFindsContactsByNameAndPlatformId) {
  int64_t zoe = Customer(kAccount, "33611112222", "Hello", "Zoé Lefèbvre");
  int64_t other = Customer(kIgAccount, "igsid-77", "Hi there", "Marc");
  EXPECT_EQ(Search("zoe"), (std::vector<int64_t>{zoe}));
  EXPECT_EQ(Search("LEFEB"), (std::vector<int64_t>{zoe}));
  EXPECT_EQ(Search("3361111"), (std::vector<int64_t>{zoe}));
  EXPECT_EQ(Search("igsid-77"), (std::vector<int64_t>{other}));
  // A new profile name replaces the old one in the index.
  Customer(kAccount, "33611112222", "Still me", "Zoé Martin");
  EXPECT_TRUE(Search("lefebvre").empty());
  EXPECT_EQ(Search("martin"), (std::vector<int64_t>{zoe}));
}

TEST_P(InboxTest, SearchStaysInItsTenantAndOrdersByActivity) {
  int64_t first = Customer(kAccount, "33600000001", "Where is my refund?");
  int64_t theirs = Customer(kOtherAccount, "33600000001", "Refund please");
  int64_t second = Customer(kIgAccount, "igsid-1", "refund status");
  EXPECT_EQ(Search("refund"), (std::vector<int64_t>{second, first}));
  EXPECT_EQ(Search("refund", globex_), (std::vector<int64_t>{theirs}));
  Customer(kAccount, "33600000001", "any news?");
  EXPECT_EQ(Search("refund"), (std::vector<int64_t>{first, second}));
}

TEST_P(InboxTest, SearchPagesThroughManyMatchesWithTheCursor) {
  // More matches than SQLite looks up by id: it walks the conversations by activity instead.
  std::vector<InboundItem> items;
  for (int i = 0; i < 3100; ++i) {
    InboundItem item = Inbound(Id("bulk.", i), Id("3360", 1000000 + i), Id("order ", i));
    item.message.timestamp_ms = now_;
    items.push_back(std::move(item));
  }
  auto outcome = Ingest(Request(now_, std::move(items))).value();
  ASSERT_EQ(outcome.pending.size(), 3100u);
  std::vector<int64_t> all;  // Same activity time: newest id first.
  for (const auto& pending : outcome.pending) all.insert(all.begin(), pending.conversation_id);
  now_ += 1000;
  Customer(kAccount, "33699999999", "nothing to see");
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

TEST_P(InboxTest, UnsentMessagesLeaveTheIndex) {
  int64_t conversation = Customer(kIgAccount, "igsid-1", "my secret code 4417");
  ASSERT_EQ(Search("4417"), (std::vector<int64_t>{conversation}));
  IngestRequest request;
  request.platform = Platform("instagram");
  request.received_at_ms = now_;
  request.deletions.push_back({Platform("instagram"), kIgAccount, "mid.1", "igsid-1"});
  ASSERT_TRUE(Ingest(std::move(request)));
  EXPECT_TRUE(Search("4417").empty());
}

TEST_P(InboxTest, TheTeamFindsItsNotes) {
  int64_t conversation = Customer(kAccount, "33600000001", "My parcel is late");
  ASSERT_TRUE(store_->inbox().AddNote(acme_, conversation, "Checked: courier strike", "user:7", 7, now_ + 5));
  EXPECT_EQ(Search("courier"), (std::vector<int64_t>{conversation}));
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
  ASSERT_TRUE(
      store_->QueuePersonReply(acme_, conversation, "Yes!", "user:1", 0, now_, parley::testing::kWhatsAppWindow));
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
