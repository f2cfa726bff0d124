// Contacts over real HTTP (issue 17): the list (newest activity first, search, platform filter), one contact with its
// conversations, the GDPR export as a download, erasure (search, lists, events and the search index forget the
// person; the audit log keeps counts only; open dashboards are told the conversation is gone), the retention
// sweeper deleting messages past the tenant's period, role checks, and another tenant's contact ids answering 404.

#include "fakes/fake_graph.h"
#include "integration/harness.h"
#include "integration/payloads.h"
#include "integration/sse_client.h"
#include "integration/tenant_fixture.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <boost/json.hpp>

#include <cstdio>
#include <fstream>

namespace parley::testing {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;

constexpr const char* kOtherPhoneNumberId = "106540352240078";

class ContactsTest : public TenantFixture {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(MakeServer({
        // The bot never answers during a test: what is checked is what people do.
        {"PARLEY_BATCH_WINDOW_MS", "600000"},
        {"PARLEY_BATCH_MAX_WAIT_MS", "600000"},
        {"PARLEY_RETENTION_SWEEP_MS", "200"},
    }));
    ASSERT_NO_FATAL_FAILURE(CreateTenants("Acme"));
    ASSERT_NO_FATAL_FAILURE(AddWhatsAppChannel("EAAG-contacts-token"));
    ASSERT_NO_FATAL_FAILURE(AddWhatsAppChannel("EAAG-contacts-token", kOtherPhoneNumberId, other_id_));
    ASSERT_NO_FATAL_FAILURE(CreateUser("ana@acme.test", "agent-password-1", "agent"));
    parley_->Start();
    ASSERT_NO_FATAL_FAILURE(LogIn("ana@acme.test", "agent-password-1", &agent_));
  }

  // A customer's message through the signed webhook; returns the contact once listed.
  int64_t Customer(const std::string& from, const std::string& name, const std::string& id, const std::string& text,
                   const std::string& phone_number_id = kPhoneNumberId) {
    std::string body = payloads::WhatsAppText(phone_number_id, from, id, text);
    // The payload's profile name, as WhatsApp sends it, is the contact's name.
    body.replace(body.find("Sheena Nelson"), std::string_view("Sheena Nelson").size(), name);
    EXPECT_EQ(PostSignedWhatsApp(*parley_, kWhatsAppSecret, body).status, 200);
    const std::string& key = phone_number_id == kOtherPhoneNumberId ? other_key_ : key_;
    int64_t found = 0;
    Eventually(
        [&] {
          auto list = Api("GET", "/api/contacts?q=" + from, {}, key).Json().at("data").as_array();
          if (list.empty()) return false;
          found = list[0].at("id").to_number<int64_t>();
          return true;
        },
        5s);
    return found;
  }

  int64_t ConversationOf(int64_t contact) {
    auto detail = Api("GET", "/api/contacts/" + std::to_string(contact));
    EXPECT_EQ(detail.status, 200) << detail.body;
    return detail.Json().at("conversations").as_array().at(0).at("id").to_number<int64_t>();
  }

  int64_t Count(const std::string& sql) { return QueryInt(*parley_, sql); }
  void Exec(const std::string& sql) { ExecSql(*parley_, sql); }

  size_t Listed(const std::string& path) { return Api("GET", path).Json().at("data").as_array().size(); }

  std::string agent_;
};

TEST_F(ContactsTest, ListsSearchesFiltersAndShowsOneContactWithItsConversations) {
  int64_t ana = Customer("33611111111", "Ana Lima", "wamid.c1", "Bonjour");
  int64_t bruno = Customer("33622222222", "Bruno Diaz", "wamid.c2", "Hello");
  auto list = Api("GET", "/api/contacts");
  ASSERT_EQ(list.status, 200) << list.body;
  auto data = list.Json().at("data").as_array();
  ASSERT_EQ(data.size(), 2u);
  EXPECT_EQ(data[0].at("id").to_number<int64_t>(), bruno);  // Newest activity first.
  EXPECT_EQ(data[1].at("name").as_string(), "Ana Lima");
  EXPECT_EQ(data[1].at("platform").as_string(), "whatsapp");
  EXPECT_EQ(data[1].at("conversations").to_number<int64_t>(), 1);

  auto search = Api("GET", "/api/contacts?q=lima").Json().at("data").as_array();
  ASSERT_EQ(search.size(), 1u);
  EXPECT_EQ(search[0].at("id").to_number<int64_t>(), ana);
  EXPECT_EQ(Listed("/api/contacts?platform=instagram"), 0u);
  EXPECT_EQ(Listed("/api/contacts?platform=whatsapp&limit=1"), 1u);
  EXPECT_EQ(Api("GET", "/api/contacts?platform=telex").status, 400);

  auto detail = Api("GET", "/api/contacts/" + std::to_string(ana), {}, agent_);  // Any role reads.
  ASSERT_EQ(detail.status, 200) << detail.body;
  EXPECT_EQ(detail.Json().at("contact").at("platform_id").as_string(), "33611111111");
  auto conversations = detail.Json().at("conversations").as_array();
  ASSERT_EQ(conversations.size(), 1u);
  EXPECT_EQ(conversations[0].at("contact").at("name").as_string(), "Ana Lima");
}

TEST_F(ContactsTest, ExportIsADownloadOfEverythingKeptAboutTheContact) {
  int64_t ana = Customer("33611111111", "Ana Lima", "wamid.e1", "Je voudrais un gâteau");
  int64_t conversation = ConversationOf(ana);
  ASSERT_EQ(Api("POST", "/api/conversations/" + std::to_string(conversation) + "/notes",
                json::serialize(json::object{{"text", "Allergic to nuts"}}))
                .status,
            201);
  Customer("33622222222", "Bruno Diaz", "wamid.e2", "Someone else");

  const std::string path = "/api/contacts/" + std::to_string(ana) + "/export";
  EXPECT_EQ(Api("GET", path, {}, agent_).status, 403);  // Owners and admins only.
  auto exported = Api("GET", path);
  ASSERT_EQ(exported.status, 200) << exported.body;
  EXPECT_EQ(exported.headers["content-disposition"],
            "attachment; filename=\"contact-" + std::to_string(ana) + ".json\"");
  auto body = exported.Json().as_object();
  EXPECT_EQ(body.at("contact").at("name").as_string(), "Ana Lima");
  ASSERT_EQ(body.at("conversations").as_array().size(), 1u);
  auto messages = body.at("messages").as_array();
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages[0].at("text").as_string(), "Je voudrais un gâteau");
  EXPECT_EQ(messages[1].at("type").as_string(), "note");
  EXPECT_EQ(body.at("support_items").as_array().size(), 0u);
  EXPECT_EQ(body.at("traces").as_array().size(), 0u);
  EXPECT_EQ(exported.body.find("Someone else"), std::string::npos);

  auto audit = Api("GET", "/api/audit-logs?action=contact.export").Json().at("data").as_array();
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_EQ(audit[0].at("target_id").as_string(), std::to_string(ana));
}

TEST_F(ContactsTest, ErasureRemovesTheContactEverywhereAndKeepsAnAuditEntryWithCountsOnly) {
  int64_t ana = Customer("33611111111", "Ana Zanzibar", "wamid.x1", "My address is 12 rue Quincampoix");
  Customer("33611111111", "Ana Zanzibar", "wamid.x2", "and my card ends with 4242");
  int64_t conversation = ConversationOf(ana);
  ASSERT_EQ(Api("POST", "/api/conversations/" + std::to_string(conversation) + "/notes",
                json::serialize(json::object{{"text", "Quincampoix regular"}}))
                .status,
            201);
  ASSERT_EQ(Api("POST", "/api/conversations/" + std::to_string(conversation) + "/read").status, 200);
  int64_t bruno = Customer("33622222222", "Bruno Diaz", "wamid.x3", "Quincampoix too");
  // Messages are indexed for search in the background.
  ASSERT_TRUE(Eventually([&] { return Listed("/api/conversations?q=quincampoix") == 2; }, 5s));
  const std::string ids = "json_extract(data, '$.conversation_id') = " + std::to_string(conversation);
  ASSERT_GT(Count("SELECT COUNT(*) FROM events WHERE " + ids), 0);

  // A dashboard open meanwhile (the stream starts after the newest event).
  SseClient stream(parley_->url("/api/events"), {{"Authorization", "Bearer " + key_}});
  ASSERT_EQ(stream.status(), 200) << stream.body();

  const std::string path = "/api/contacts/" + std::to_string(ana);
  EXPECT_EQ(Api("DELETE", path, {}, agent_).status, 403);  // Owners and admins only.
  auto erased = Api("DELETE", path);
  ASSERT_EQ(erased.status, 200) << erased.body;
  // The dashboard is told to drop the conversation, by its id and nothing else.
  const std::string deleted = json::serialize(json::object{{"conversation_id", conversation}});
  json::object notice;
  ASSERT_TRUE(stream.WaitUntil(
      [&](const std::vector<SseEvent>& frames) {
        for (const SseEvent& frame : frames) {
          if (frame.data.empty()) continue;
          json::object event = json::parse(frame.data).as_object();
          if (event.at("type") == "conversation.deleted") {
            notice = event;
            return true;
          }
        }
        return false;
      },
      5s));
  EXPECT_EQ(json::serialize(notice.at("data")), deleted);
  for (const SseEvent& frame : stream.Events()) {
    EXPECT_EQ(frame.data.find("Zanzibar"), std::string::npos) << frame.data;
    EXPECT_EQ(frame.data.find("33611111111"), std::string::npos) << frame.data;
  }
  auto counts = erased.Json().as_object();
  EXPECT_EQ(counts.at("conversations").to_number<int64_t>(), 1);
  EXPECT_EQ(counts.at("messages").to_number<int64_t>(), 3);
  EXPECT_EQ(counts.at("notes").to_number<int64_t>(), 1);
  EXPECT_GT(counts.at("events").to_number<int64_t>(), 0);

  EXPECT_EQ(Api("GET", path).status, 404);
  EXPECT_EQ(Api("GET", "/api/conversations/" + std::to_string(conversation)).status, 404);
  EXPECT_EQ(Api("GET", "/api/conversations/" + std::to_string(conversation) + "/messages").status, 404);
  auto inbox = Api("GET", "/api/conversations").Json().at("data").as_array();
  ASSERT_EQ(inbox.size(), 1u);  // Gone from the lists…
  EXPECT_EQ(inbox[0].at("contact").at("platform_id").as_string(), "33622222222");
  EXPECT_EQ(Listed("/api/contacts"), 1u);
  EXPECT_EQ(Listed("/api/contacts?q=zanzibar"), 0u);  // …from search…
  auto found = Api("GET", "/api/conversations?q=quincampoix").Json().at("data").as_array();
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].at("id").to_number<int64_t>(), ConversationOf(bruno));
  EXPECT_EQ(Count("SELECT COUNT(*) FROM messages_search WHERE messages_search MATCH 'zanzibar OR 4242'"), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM contacts_search WHERE contacts_search MATCH 'zanzibar'"), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM events WHERE " + ids), 0);  // …and from the event log…
  // …but for the notice that it is gone, which holds its id alone.
  EXPECT_EQ(Count("SELECT COUNT(*) FROM events WHERE type = 'conversation.deleted' AND data = '" +
                  json::serialize(json::object{{"erased_conversation_id", conversation}}) + "'"),
            1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM messages WHERE conversation_id = " + std::to_string(conversation)), 0);

  auto audit = Api("GET", "/api/audit-logs?action=contact.erase");
  ASSERT_EQ(audit.status, 200) << audit.body;
  auto entries = audit.Json().at("data").as_array();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].at("target_id").as_string(), std::to_string(ana));
  const std::string details = json::serialize(entries[0]);
  EXPECT_EQ(details.find("Zanzibar"), std::string::npos);
  EXPECT_EQ(details.find("33611111111"), std::string::npos);
  EXPECT_EQ(Api("DELETE", path).status, 404);  // Once.
}

TEST_F(ContactsTest, TheRetentionSweeperDeletesMessagesOlderThanTheTenantsPeriod) {
  int64_t ana = Customer("33611111111", "Ana Lima", "wamid.r1", "An old message");
  int64_t conversation = ConversationOf(ana);
  Customer("33611111111", "Ana Lima", "wamid.r2", "A recent message");
  // Another tenant's old message, which its own (absent) period keeps.
  Customer("33699999999", "Zed", "wamid.r3", "Kept for ever", kOtherPhoneNumberId);
  const std::string forty_days_ago = "created_at - " + std::to_string(int64_t{40} * 24 * 3600 * 1000);
  // As if those messages, and the conversations they opened, had come 40 days ago.
  Exec("UPDATE conversations SET created_at = " + forty_days_ago +
       " WHERE id IN (SELECT conversation_id FROM messages WHERE platform_message_id IN ('wamid.r1', 'wamid.r3'))");
  Exec("UPDATE messages SET created_at = " + forty_days_ago + " WHERE platform_message_id IN ('wamid.r1', 'wamid.r3')");

  auto patched = Api("PATCH", "/api/tenant", json::serialize(json::object{{"message_retention_days", 30}}));
  ASSERT_EQ(patched.status, 200) << patched.body;
  // The sweep deletes in bounded writes and appends its audit entry last: once the entry is there, it is done.
  const auto audit = [&] { return Api("GET", "/api/audit-logs?action=retention.sweep").Json().at("data").as_array(); };
  ASSERT_TRUE(Eventually([&] { return !audit().empty(); }, 10s));
  ASSERT_EQ(audit().size(), 1u);
  EXPECT_EQ(audit()[0].at("actor").as_string(), "retention");
  const std::string messages = "/api/conversations/" + std::to_string(conversation) + "/messages";
  ASSERT_EQ(Listed(messages), 1) << Api("GET", messages).body;
  EXPECT_EQ(Api("GET", messages).Json().at("data").as_array()[0].at("text").as_string(), "A recent message");
  EXPECT_EQ(Count("SELECT COUNT(*) FROM messages WHERE platform_message_id = 'wamid.r3'"), 1);
}

TEST_F(ContactsTest, AnotherTenantsContactIdsAnswer404) {
  int64_t zed = Customer("33699999999", "Zed", "wamid.i1", "Hi", kOtherPhoneNumberId);
  Customer("33611111111", "Ana Lima", "wamid.i2", "Hi");
  const std::string path = "/api/contacts/" + std::to_string(zed);
  EXPECT_EQ(Api("GET", path).status, 404);
  EXPECT_EQ(Api("GET", path + "/export").status, 404);
  EXPECT_EQ(Api("DELETE", path).status, 404);
  EXPECT_EQ(Listed("/api/contacts?q=zed"), 0u);
  EXPECT_EQ(Api("GET", path, {}, other_key_).status, 200);  // Still there for its own tenant.
}

TEST_F(ContactsTest, AnswersMatchTheSchemasTheDocumentDeclares) {
  int64_t ana = Customer("33611111111", "Ana Lima", "wamid.s1", "Bonjour");
  const std::string path = "/api/contacts/" + std::to_string(ana);
  json::array samples;
  auto sample = [&](const std::string& method, const std::string& pattern, const std::string& target) {
    auto answer = Api(method, target);
    samples.push_back({{"method", method}, {"path", pattern}, {"status", answer.status}, {"body", answer.Json()}});
  };
  sample("GET", "/api/contacts", "/api/contacts?q=ana&platform=whatsapp&limit=10");
  sample("GET", "/api/contacts", "/api/contacts?limit=0");
  sample("GET", "/api/contacts/{id}", path);
  sample("GET", "/api/contacts/{id}", "/api/contacts/999999");
  sample("GET", "/api/contacts/{id}/export", path + "/export");
  sample("DELETE", "/api/contacts/{id}", path);
  sample("DELETE", "/api/contacts/{id}", path);

  const std::string document = parley_->data_dir() + "/openapi.json";
  std::ofstream(document) << Call("GET", parley_->url("/api/openapi.json")).body;
  const std::string answers = parley_->data_dir() + "/samples.json";
  std::ofstream(answers) << json::serialize(samples);
  std::string command = "node " PARLEY_SOURCE_DIR "/tests/openapi/check-responses.mjs " + document + " " + answers +
                        " 2>&1; echo \"exit=$?\"";
  std::string output;
  if (FILE* pipe = ::popen(command.c_str(), "r")) {
    char buffer[4096];
    while (size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) output.append(buffer, n);
    ::pclose(pipe);
  }
  EXPECT_NE(output.find("exit=0"), std::string::npos) << output;
  EXPECT_NE(output.find(std::to_string(samples.size()) + " answers match"), std::string::npos) << output;
}

}  // namespace
}  // namespace parley::testing
