// Contacts on every backend: the list by latest activity (each contact once, paged with the cursor, narrowed by
// channel, platform and a search of names and numbers; an erased contact is no longer found), another tenant's ids,
// the export of everything kept about a contact, its erasure in small batches (messages, notes, traces, support
// items, event log entries, the contact itself; an audit entry without personal data; the person writing again
// starts afresh), and the deletion of messages past a retention period.

#include "store_test.h"

#include "store/access_store.h"
#include "store/contact_store.h"
#include "store/events.h"
#include "store/inbox_store.h"

#include <boost/json.hpp>

namespace parley::store::testing {
namespace {

constexpr int64_t kDay = int64_t{24} * 3600 * 1000;
constexpr char kIgAccount[] = "ig-1";         //!< Acme's Instagram account.
constexpr char kOtherAccount[] = "wa-other";  //!< Globex's WhatsApp number.

class ContactTest : public StoreTest {
 protected:
  ContactTest() {
    globex_ = store_->CreateTenant("Globex", crypto::Sha256Hex("key-globex")).value().id;
    store_->AddChannel({acme_, Platform("instagram"), kIgAccount, "t"}).value();
    store_->AddChannel({globex_, Platform("whatsapp"), kOtherAccount, "t"}).value();
  }

  // A customer message through the webhook path at `now_` (then a second later); returns its conversation.
  int64_t Customer(const std::string& account, const std::string& contact, const std::string& text,
                   const std::string& name = "") {
    const Platform platform = account == kIgAccount ? Platform("instagram") : Platform("whatsapp");
    IngestRequest request = Request(now_, {Inbound("mid." + std::to_string(++next_mid_), contact, text, account)});
    request.platform = platform;
    request.messages[0].message.platform = platform;
    request.messages[0].message.contact_name = name;
    request.messages[0].message.timestamp_ms = now_;
    auto outcome = Ingest(std::move(request));
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
    auto page = store_->contacts().ListContacts(tenant ? tenant : acme_, {}, std::nullopt, 500).value();
    for (const auto& c : page.data) {
      if (c.platform_id == platform_id) return c.id;
    }
    return 0;
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

  // The bot escalates the conversation: a reply, a trace and an open support item.
  void Escalate(int64_t conversation) {
    auto attempt = store_->ClaimConversation(conversation, now_, 30000).value();
    ASSERT_TRUE(attempt.claim);
    Reply reply;
    reply.messages.push_back(OutboundDraft{MessageType::kText, "A person will answer you here.", ""});
    reply.decision = Decision::kEscalate;
    reply.reason = Reason::kHumanRequested;
    reply.trace = R"([{"stage":"triage","ms":0.1}])";
    reply.hand_off = true;
    std::vector<int64_t> ids;
    ASSERT_EQ(store_->CommitReply(*attempt.claim, reply, now_, &ids).value(), CommitResult::kCommitted);
  }

  // How many events in the tenant's log name `conversation` (their data is written the same on both backends). Read
  // from the table: EventLog::Read answers a gap (and no events) to a reader from 0 once the log's first events are
  // gone.
  int64_t EventsOf(int64_t conversation) {
    const std::string id = std::to_string(conversation);
    return Count("SELECT COUNT(*) FROM events WHERE tenant_id = " + std::to_string(acme_) +
                 " AND (data LIKE '%\"conversation_id\":" + id + ",%' OR data LIKE '%\"conversation_id\":" + id +
                 "}%')");
  }

  const int64_t acme_ = tenant_.id;
  int64_t globex_ = 0;
  int64_t now_ = kT0;
  int next_mid_ = 0;
};

INSTANTIATE_TEST_SUITE_P(Backends, ContactTest, ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         [](const auto& info) { return BackendName(info.param); });

TEST_P(ContactTest, SearchChannelAndPlatformNarrowTheList) {
  Customer(kAccount, "33600000001", "hello", "Ana Lima");
  Customer(kAccount, "33600000002", "hi", "Bruno");
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
  instagram.platform = Platform("instagram");
  EXPECT_EQ(Listed(instagram), (std::vector<std::string>{"igsid-3"}));
  ContactFilter channel;
  channel.channel_id = channel_.id;
  EXPECT_EQ(Listed(channel), (std::vector<std::string>{"33600000002", "33600000001"}));
}

TEST_P(ContactTest, AnErasedContactIsNoLongerFound) {
  Customer(kAccount, "33600000001", "I want a cake", "Ana Lima");
  const int64_t ana = ContactOf("33600000001");
  ASSERT_TRUE(store_->contacts().EraseContact(acme_, ana, "user:7", now_));
  ContactFilter search;
  search.text = "Lima";
  EXPECT_TRUE(Listed(search).empty());
}

TEST_P(ContactTest, ListsEachContactOnceByLatestActivityAndPagesWithTheCursor) {
  Customer(kAccount, "33600000001", "hello", "Ana Lima");
  Customer(kAccount, "33600000002", "hi", "Bruno");
  Customer(kIgAccount, "igsid-3", "salut", "Chloé");
  Customer(kAccount, "33600000001", "again");  // Ana is the latest now.
  Customer(kOtherAccount, "33600000009", "other tenant", "Zed");
  EXPECT_EQ(Listed(), (std::vector<std::string>{"33600000001", "igsid-3", "33600000002"}));

  std::vector<std::string> paged;
  std::optional<std::string> cursor;
  do {
    auto page = store_->contacts().ListContacts(acme_, {}, cursor, 1).value();
    ASSERT_LE(page.data.size(), 1u);
    for (const auto& c : page.data) paged.push_back(c.platform_id);
    cursor = page.next_cursor;
  } while (cursor);
  EXPECT_EQ(paged, (std::vector<std::string>{"33600000001", "igsid-3", "33600000002"}));
  EXPECT_FALSE(store_->contacts().ListContacts(acme_, {}, std::string("garbled"), 10));

  auto ana = store_->contacts().ListContacts(acme_, {}, std::nullopt, 1).value().data.at(0);
  EXPECT_EQ(ana.name, "Ana Lima");
  EXPECT_EQ(ana.platform, Platform("whatsapp"));
  EXPECT_EQ(ana.channel_id, channel_.id);
  EXPECT_EQ(ana.conversations, 1);
  EXPECT_EQ(ana.last_activity_ms, kT0 + 3000);
}

TEST_P(ContactTest, AnotherTenantsContactIsNotFound) {
  Customer(kOtherAccount, "33600000009", "other", "Zed");
  const int64_t zed = ContactOf("33600000009", globex_);
  ASSERT_GT(zed, 0);
  EXPECT_EQ(store_->contacts().GetContact(acme_, zed).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->contacts().ContactConversations(acme_, zed).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->contacts().ExportContact(acme_, zed).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->contacts().EraseContact(acme_, zed, "user:1", now_).error().code, ErrorCode::kNotFound);
  EXPECT_TRUE(store_->contacts().GetContact(globex_, zed));  // Untouched.
}

TEST_P(ContactTest, ExportHoldsTheConversationsMessagesNotesSupportItemsAndTraces) {
  int64_t first = Customer(kAccount, "33600000001", "I want a cake", "Ana");
  Escalate(first);
  ASSERT_TRUE(store_->inbox().AddNote(acme_, first, "VIP customer", "user:1", 1, now_));
  ASSERT_TRUE(store_->CloseConversation(acme_, first, now_));
  int64_t second = Customer(kAccount, "33600000001", "Me again");
  ASSERT_NE(first, second);
  Customer(kAccount, "33600000002", "someone else");

  auto exported = store_->contacts().ExportContact(acme_, ContactOf("33600000001")).value();
  EXPECT_EQ(exported.contact.platform_id, "33600000001");
  EXPECT_EQ(exported.contact.conversations, 2);
  ASSERT_EQ(exported.conversations.size(), 2u);
  EXPECT_EQ(exported.conversations[0].id, first);  // Oldest first.
  EXPECT_EQ(exported.conversations[1].id, second);
  std::vector<std::string> texts;
  for (const auto& m : exported.messages) texts.push_back(m.text.value_or(""));
  EXPECT_EQ(texts,
            (std::vector<std::string>{"I want a cake", "A person will answer you here.", "VIP customer", "Me again"}));
  ASSERT_EQ(exported.support_items.size(), 1u);
  EXPECT_EQ(exported.support_items[0].conversation_id, first);
  ASSERT_EQ(exported.traces.size(), 1u);
  EXPECT_EQ(exported.traces[0].conversation_id, first);

  auto conversations = store_->contacts().ContactConversations(acme_, exported.contact.id).value();
  ASSERT_EQ(conversations.size(), 2u);
  EXPECT_EQ(conversations[0].id, second);  // Newest activity first.
}

TEST_P(ContactTest, ErasureRemovesEverythingInBatchesAndKeepsAnAuditEntryWithoutPersonalData) {
  int64_t first = Customer(kAccount, "33600000001", "I want a cake", "Ana Lima");
  for (int i = 0; i < 6; ++i) Customer(kAccount, "33600000001", "message " + std::to_string(i));
  Escalate(first);
  ASSERT_TRUE(store_->inbox().AddNote(acme_, first, "VIP customer", "user:1", 1, now_));
  ASSERT_TRUE(store_->CloseConversation(acme_, first, now_));
  int64_t second = Customer(kAccount, "33600000001", "Me again");
  int64_t bruno = Customer(kAccount, "33600000002", "someone else", "Bruno");
  const int64_t ana = ContactOf("33600000001");
  ASSERT_GT(EventsOf(first), 0);

  auto erased = store_->contacts().EraseContact(acme_, ana, "user:7", now_, /*batch=*/2).value();
  EXPECT_EQ(erased.conversations, 2);
  EXPECT_EQ(erased.messages, 10);  // 7 + the bot's reply + the note + "Me again".
  EXPECT_EQ(erased.notes, 1);
  EXPECT_EQ(erased.support_items, 1);
  EXPECT_EQ(erased.traces, 1);
  EXPECT_GT(erased.events, 0);

  EXPECT_EQ(store_->contacts().GetContact(acme_, ana).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->GetConversation(acme_, first).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->GetConversation(acme_, second).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(Listed(), (std::vector<std::string>{"33600000002"}));
  EXPECT_EQ(EventsOf(first), 0);
  EXPECT_EQ(EventsOf(second), 0);
  EXPECT_GT(EventsOf(bruno), 0);  // Others' events stay…
  EXPECT_TRUE(store_->ListSupportItems(acme_, std::nullopt, std::nullopt, 50).value().data.empty());
  EXPECT_EQ(store_->ListMessages(acme_, bruno, std::nullopt, 50).value().data.size(), 1u);  // …and messages.

  auto audit = store_->access().ListAudit(acme_, {"contact.erase", std::nullopt}, std::nullopt, 10).value();
  ASSERT_EQ(audit.data.size(), 1u);
  EXPECT_EQ(audit.data[0].actor, "user:7");
  EXPECT_EQ(audit.data[0].target_type, "contact");
  EXPECT_EQ(audit.data[0].target_id, std::to_string(ana));
  EXPECT_EQ(audit.data[0].details.find("Ana"), std::string::npos);
  EXPECT_EQ(audit.data[0].details.find("33600000001"), std::string::npos);
  EXPECT_EQ(boost::json::parse(audit.data[0].details).at("messages").to_number<int64_t>(), 10);

  // The event ids go on from where they were: none is reused.
  const int64_t last_id = store_->events().LastId(acme_).value();
  Customer(kAccount, "33600000002", "still there");
  EXPECT_GT(store_->events().LastId(acme_).value(), last_id);

  // The person writing again is a new contact with a new conversation.
  int64_t again = Customer(kAccount, "33600000001", "Hello, it's me", "Ana Lima");
  ASSERT_GT(again, 0);
  EXPECT_NE(ContactOf("33600000001"), ana);
  EXPECT_EQ(store_->ListMessages(acme_, again, std::nullopt, 50).value().data.size(), 1u);
  EXPECT_EQ(store_->contacts().EraseContact(acme_, ana, "user:7", now_).error().code, ErrorCode::kNotFound);
}

TEST_P(ContactTest, RetentionDeletesOnlyTheTenantsMessagesBeforeTheCutOff) {
  int64_t old_conversation = Customer(kAccount, "33600000001", "old message");
  int64_t all_old = Customer(kAccount, "33600000002", "old one");
  Customer(kAccount, "33600000002", "old two");
  Customer(kAccount, "33600000002", "old three");
  Customer(kOtherAccount, "33600000009", "another tenant's old message");
  now_ = kT0 + 40 * kDay;
  Customer(kAccount, "33600000001", "recent message");
  Customer(kAccount, "33600000003", "a new conversation");
  const int64_t cutoff = kT0 + 30 * kDay;
  // Batches of 2: the budget runs out inside a conversation, and the next write goes on from there.
  EXPECT_EQ(store_->contacts().DeleteMessagesBefore(acme_, cutoff, now_, /*batch=*/2).value(), 4);
  EXPECT_TRUE(store_->ListMessages(acme_, all_old, std::nullopt, 50).value().data.empty());
  EXPECT_EQ(Listed().size(), 3u);  // Contacts and conversations stay.
  auto left = store_->ListMessages(acme_, old_conversation, std::nullopt, 50).value().data;
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0].text, "recent message");
  EXPECT_EQ(store_->ListConversations(globex_, std::nullopt, 50).value().data.size(), 1u);
  int64_t other = store_->ListConversations(globex_, std::nullopt, 50).value().data[0].id;
  EXPECT_EQ(store_->ListMessages(globex_, other, std::nullopt, 50).value().data.size(), 1u);

  auto audit = store_->access().ListAudit(acme_, {"retention.sweep", std::nullopt}, std::nullopt, 10).value();
  ASSERT_EQ(audit.data.size(), 1u);
  EXPECT_EQ(audit.data[0].actor, "retention");
  EXPECT_EQ(boost::json::parse(audit.data[0].details).at("messages").to_number<int64_t>(), 4);
  // Nothing more to delete: no audit entry.
  EXPECT_EQ(store_->contacts().DeleteMessagesBefore(acme_, cutoff, now_).value(), 0);
  EXPECT_EQ(store_->access().ListAudit(acme_, {"retention.sweep", std::nullopt}, std::nullopt, 10).value().data.size(),
            1u);
}

}  // namespace
}  // namespace parley::store::testing
