// The dashboard inbox's server features over real HTTP (issue 17): search with accents and prefixes, the new
// filters, unread counts and the read marker, private notes (never sent), "save as Q&A" and canned replies, with
// their role checks and another tenant's ids answering 404.

#include "integration/tenant_fixture.h"

#include <gtest/gtest.h>
#include <boost/json.hpp>

namespace parley::testing {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;

class InboxFeaturesTest : public TenantFixture {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(MakeServer({
        // The bot never answers during a test: what is checked is what people do.
        {"PARLEY_BATCH_WINDOW_MS", "600000"},
        {"PARLEY_BATCH_MAX_WAIT_MS", "600000"},
    }));
    ASSERT_NO_FATAL_FAILURE(CreateTenants("Acme"));
    ASSERT_NO_FATAL_FAILURE(AddWhatsAppChannel("EAAG-inbox-token"));
    ASSERT_NO_FATAL_FAILURE(CreateUser("ana@acme.test", "agent-password-1", "agent", &ana_id_));
    parley_->Start();
    ASSERT_NO_FATAL_FAILURE(LogIn("ana@acme.test", "agent-password-1", &ana_));
  }

  // A customer's message through the signed webhook; returns its conversation once listed.
  int64_t Customer(const std::string& from, const std::string& id, const std::string& text) {
    EXPECT_EQ(PostCustomerText(from, id, text).status, 200);
    return WaitForConversation(from);
  }

  std::string Path(int64_t conversation, const std::string& suffix = {}) {
    return "/api/conversations/" + std::to_string(conversation) + suffix;
  }

  std::vector<int64_t> Ids(const std::string& query, const std::string& key = {}) {
    std::vector<int64_t> out;
    auto answer = Api("GET", "/api/conversations" + query, "", key);
    EXPECT_EQ(answer.status, 200) << query << ": " << answer.body;
    json::value page = answer.Json();  // The loop must not run over a temporary's array.
    for (const auto& c : page.at("data").as_array()) out.push_back(c.at("id").to_number<int64_t>());
    return out;
  }

  // Hands the conversation to people, as an escalation would.
  void TakeOver(int64_t conversation) {
    ASSERT_EQ(Api("PUT", Path(conversation, "/mode"), R"({"mode":"human"})").status, 200);
  }

  std::string ana_;
  int64_t ana_id_ = 0;
};

TEST_F(InboxFeaturesTest, SearchFoldsAccentsAndMatchesTheWordBeingTyped) {
  int64_t cake = Customer("33611111111", "wamid.s1", "Un gâteau au CHOCOLAT pour samedi ?");
  int64_t bread = Customer("33622222222", "wamid.s2", "Du pain sans gluten ?");
  // Messages are searchable once the background indexer has them, well under a second later.
  EXPECT_TRUE(
      Eventually([&] { return Ids("?q=gateau") == std::vector<int64_t>{cake} && Ids("?q=GLUT").size() == 1; }, 5s));
  EXPECT_EQ(Ids("?q=gateau"), (std::vector<int64_t>{cake}));
  EXPECT_EQ(Ids("?q=chocolat%20sam"), (std::vector<int64_t>{cake}));
  EXPECT_EQ(Ids("?q=GLUT"), (std::vector<int64_t>{bread}));
  EXPECT_EQ(Ids("?q=3362222"), (std::vector<int64_t>{bread}));
  EXPECT_TRUE(Ids("?q=gateau", other_key_).empty());
}

TEST_F(InboxFeaturesTest, ListItemsCarryUnreadCountsAndTheLastMessageUntilSomeoneReadsThem) {
  int64_t conversation = Customer("33633333333", "wamid.u1", "Hello");
  TakeOver(conversation);
  Customer("33633333333", "wamid.u2", "Anyone there?");
  auto item = Api("GET", "/api/conversations").Json().at("data").at(0);
  EXPECT_EQ(item.at("id").to_number<int64_t>(), conversation);
  EXPECT_EQ(item.at("unread_count").to_number<int64_t>(), 2);
  EXPECT_EQ(item.at("last_message").at("text"), "Anyone there?");
  EXPECT_EQ(item.at("last_message").at("direction"), "in");
  EXPECT_FALSE(item.at("last_message").at("created_at").as_string().empty());

  auto read = Api("POST", Path(conversation, "/read"), "", ana_);
  ASSERT_EQ(read.status, 200) << read.body;
  EXPECT_EQ(read.Json().at("unread_count").to_number<int64_t>(), 0);
  // One marker for the whole team: the owner's key sees it read too.
  EXPECT_EQ(Api("GET", "/api/conversations").Json().at("data").at(0).at("unread_count").to_number<int64_t>(), 0);
  EXPECT_EQ(Api("POST", Path(conversation, "/read"), "", other_key_).status, 404);
  EXPECT_EQ(Api("POST", Path(999999, "/read")).status, 404);
}

TEST_F(InboxFeaturesTest, AConversationCarriesItsUnreadCountAndLastMessage) {
  int64_t conversation = Customer("33677777777", "wamid.g1", "Is the shop open on Sunday?");
  auto got = Api("GET", Path(conversation));
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(got.Json().at("unread_count").to_number<int64_t>(), 1);
  EXPECT_EQ(got.Json().at("last_message").at("text"), "Is the shop open on Sunday?");
  ASSERT_EQ(Api("POST", Path(conversation, "/read"), "", ana_).status, 200);
  EXPECT_EQ(Api("GET", Path(conversation)).Json().at("unread_count").to_number<int64_t>(), 0);
  EXPECT_EQ(Api("GET", Path(conversation), "", other_key_).status, 404);
}

TEST_F(InboxFeaturesTest, AThreadPagesNewestFirstWithBefore) {
  int64_t conversation = Customer("33688888888", "wamid.p0", "message 0");
  for (int i = 1; i < 5; ++i) {
    ASSERT_EQ(
        Api("POST", Path(conversation, "/notes"), R"({"text":"message )" + std::to_string(i) + "\"}", ana_).status,
        201);
  }
  auto texts = [](const json::value& page) {
    std::vector<std::string> out;
    for (const auto& m : page.at("data").as_array()) out.emplace_back(m.at("text").as_string());
    return out;
  };
  json::value newest = Api("GET", Path(conversation, "/messages?before=latest&limit=2")).Json();
  EXPECT_EQ(texts(newest), (std::vector<std::string>{"message 4", "message 3"}));
  ASSERT_TRUE(newest.at("next_cursor").is_string());
  std::string cursor(newest.at("next_cursor").as_string());
  json::value older = Api("GET", Path(conversation, "/messages?limit=2&before=" + cursor)).Json();
  EXPECT_EQ(texts(older), (std::vector<std::string>{"message 2", "message 1"}));
  json::value oldest =
      Api("GET", Path(conversation, "/messages?limit=2&before=" + std::string(older.at("next_cursor").as_string())))
          .Json();
  EXPECT_EQ(texts(oldest), (std::vector<std::string>{"message 0"}));
  EXPECT_TRUE(oldest.at("next_cursor").is_null());
  // Without before, as before: oldest first; the two kinds of cursor are not interchangeable.
  EXPECT_EQ(texts(Api("GET", Path(conversation, "/messages?limit=2")).Json()),
            (std::vector<std::string>{"message 0", "message 1"}));
  EXPECT_EQ(Api("GET", Path(conversation, "/messages?cursor=" + cursor)).status, 400);
  EXPECT_EQ(Api("GET", Path(conversation, "/messages?before=latest&cursor=" + cursor)).status, 400);
  EXPECT_EQ(Api("GET", Path(conversation, "/messages?before=latest"), "", other_key_).status, 404);
}

TEST_F(InboxFeaturesTest, FiltersByPlatformAssigneeAndWaitingOnAPerson) {
  int64_t mine = Customer("33644444444", "wamid.f1", "Question one");
  int64_t other = Customer("33655555555", "wamid.f2", "Question two");
  TakeOver(mine);
  TakeOver(other);
  ASSERT_EQ(Api("POST", Path(mine, "/assign"), json::serialize(json::object{{"user_id", ana_id_}}), ana_).status, 200);
  EXPECT_EQ(Ids("?assignee=me", ana_), (std::vector<int64_t>{mine}));
  EXPECT_EQ(Ids("?assignee=unassigned"), (std::vector<int64_t>{other}));
  EXPECT_EQ(Ids("?platform=whatsapp").size(), 2u);
  EXPECT_TRUE(Ids("?platform=instagram").empty());
  EXPECT_EQ(Ids("?waiting=true").size(), 2u);
  ASSERT_EQ(Api("POST", Path(mine, "/messages"), R"({"text":"Here is the answer"})", ana_).status, 202);
  EXPECT_EQ(Ids("?waiting=true"), (std::vector<int64_t>{other}));
  EXPECT_EQ(Ids("?waiting=false"), (std::vector<int64_t>{mine}));
  for (const char* bad : {"?platform=telex", "?waiting=maybe", "?assignee=me"}) {
    EXPECT_EQ(Api("GET", std::string("/api/conversations") + bad).status, 400) << bad;  // an API key has no "me"
  }
}

TEST_F(InboxFeaturesTest, NotesAreShownToTheTeamAndNeverSent) {
  int64_t conversation = Customer("33666666666", "wamid.n1", "My parcel is late");
  TakeOver(conversation);
  auto note = Api("POST", Path(conversation, "/notes"), R"({"text":"Courier strike, call them back"})", ana_);
  ASSERT_EQ(note.status, 201) << note.body;
  EXPECT_EQ(note.Json().at("type"), "note");
  EXPECT_EQ(note.Json().at("author_user_id").to_number<int64_t>(), ana_id_);
  auto thread = Api("GET", Path(conversation, "/messages")).Json().at("data").as_array();
  ASSERT_EQ(thread.back().at("type"), "note");
  EXPECT_EQ(thread.back().at("text"), "Courier strike, call them back");
  EXPECT_EQ(Api("POST", Path(conversation, "/notes"), R"({"text":""})").status, 400);
  EXPECT_EQ(Api("POST", Path(conversation, "/notes"), R"({"text":"x"})", other_key_).status, 404);
  std::this_thread::sleep_for(500ms);
  for (const auto& send : graph_.sends()) {
    EXPECT_EQ(json::serialize(send.body).find("Courier strike"), std::string::npos);
  }
}

TEST_F(InboxFeaturesTest, APersonsAnswerIsSavedAsAQaPairByAdminsOnly) {
  int64_t conversation = Customer("33677777777", "wamid.q1", "Do you open on Sundays?");
  TakeOver(conversation);
  auto reply = Api("POST", Path(conversation, "/messages"), R"({"text":"Yes, from 9 to 13."})");
  ASSERT_EQ(reply.status, 202) << reply.body;
  const std::string answer_id = std::to_string(reply.Json().at("id").to_number<int64_t>());
  const std::string save = Path(conversation, "/messages/" + answer_id + "/save-as-qa");
  const std::string body = R"({"question":"Are you open on Sunday?"})";

  EXPECT_EQ(Api("POST", save, body, ana_).status, 403);  // agents answer; admins curate the knowledge
  EXPECT_EQ(Api("POST", save, body, other_key_).status, 404);
  EXPECT_EQ(Api("POST", save, R"({})").status, 400);
  auto saved = Api("POST", save, body);
  ASSERT_EQ(saved.status, 201) << saved.body;
  EXPECT_EQ(saved.Json().at("answer"), "Yes, from 9 to 13.");
  EXPECT_EQ(saved.Json().at("questions").at(0), "Are you open on Sunday?");
  auto faqs = Api("GET", "/api/faq-qa").Json().at("data").as_array();
  ASSERT_EQ(faqs.size(), 1u);
  EXPECT_EQ(faqs[0].at("answer"), "Yes, from 9 to 13.");
  auto audit = Api("GET", "/api/audit-logs?action=faq.create").Json().at("data").as_array();
  EXPECT_EQ(audit.size(), 1u);

  // The customer's own words are no answer.
  auto thread = Api("GET", Path(conversation, "/messages")).Json().at("data").as_array();
  const std::string question_id = std::to_string(thread.front().at("id").to_number<int64_t>());
  EXPECT_EQ(Api("POST", Path(conversation, "/messages/" + question_id + "/save-as-qa"), body).status, 400);
  EXPECT_EQ(Api("POST", Path(conversation, "/messages/999999/save-as-qa"), body).status, 404);
}

TEST_F(InboxFeaturesTest, CannedRepliesAreManagedByAdminsAndListedByEveryone) {
  auto created =
      Api("POST", "/api/canned-replies", R"({"shortcut":"/Hours","text":"We open 9-18, Monday to Saturday."})");
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(created.Json().at("shortcut"), "hours");
  const std::string id = std::to_string(created.Json().at("id").to_number<int64_t>());
  ASSERT_EQ(Api("POST", "/api/canned-replies", R"({"shortcut":"holidays","text":"Closed on 25 December."})").status,
            201);
  EXPECT_EQ(Api("POST", "/api/canned-replies", R"({"shortcut":"hours","text":"Twice"})").status, 409);
  EXPECT_EQ(Api("POST", "/api/canned-replies", R"({"shortcut":"two words","text":"x"})").status, 400);
  EXPECT_EQ(Api("POST", "/api/canned-replies", R"({"shortcut":"mine","text":"x"})", ana_).status, 403);

  auto listed = Api("GET", "/api/canned-replies?q=hou", "", ana_);
  ASSERT_EQ(listed.status, 200) << listed.body;
  ASSERT_EQ(listed.Json().at("data").as_array().size(), 1u);
  EXPECT_EQ(listed.Json().at("data").at(0).at("text"), "We open 9-18, Monday to Saturday.");
  EXPECT_EQ(Api("GET", "/api/canned-replies").Json().at("data").as_array().size(), 2u);
  EXPECT_TRUE(Api("GET", "/api/canned-replies", "", other_key_).Json().at("data").as_array().empty());

  EXPECT_EQ(Api("PUT", "/api/canned-replies/" + id, R"({"shortcut":"opening","text":"9-18"})", ana_).status, 403);
  EXPECT_EQ(Api("PUT", "/api/canned-replies/" + id, R"({"shortcut":"opening","text":"9-18"})", other_key_).status, 404);
  auto updated = Api("PUT", "/api/canned-replies/" + id, R"({"shortcut":"opening","text":"9-18"})");
  ASSERT_EQ(updated.status, 200) << updated.body;
  EXPECT_EQ(updated.Json().at("shortcut"), "opening");
  EXPECT_EQ(Api("DELETE", "/api/canned-replies/" + id, "", ana_).status, 403);
  EXPECT_EQ(Api("DELETE", "/api/canned-replies/" + id, "", other_key_).status, 404);
  EXPECT_EQ(Api("DELETE", "/api/canned-replies/" + id).status, 200);
  EXPECT_EQ(Api("DELETE", "/api/canned-replies/" + id).status, 404);
  EXPECT_EQ(Api("GET", "/api/canned-replies").Json().at("data").as_array().size(), 1u);
}

}  // namespace
}  // namespace parley::testing
