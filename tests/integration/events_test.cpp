// GET /api/events against the real binary over loopback: a signed webhook's message reaches an open stream, a
// person's reply and a mode change do too, another tenant's stream hears nothing of it, a client that was away gets
// exactly what it missed from Last-Event-ID, a stale id gets stream.reset, and stopping the server ends the streams.

#include "integration/sse_client.h"
#include "integration/tenant_fixture.h"

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <set>

namespace parley::testing {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;

std::vector<std::string> Types(const std::vector<SseEvent>& events) {
  std::vector<std::string> types;
  for (const auto& e : events) types.emplace_back(json::parse(e.data).at("type").as_string());
  return types;
}

class EventsTest : public TenantFixture {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(MakeServer({
        // Nobody answers during a test: the only events are those the test causes.
        {"PARLEY_BATCH_WINDOW_MS", "600000"},
        {"PARLEY_BATCH_MAX_WAIT_MS", "600000"},
        {"PARLEY_EVENTS_KEEPALIVE_MS", "300"},
        {"PARLEY_EVENTS_PER_TENANT", "100"},
    }));
    ASSERT_NO_FATAL_FAILURE(CreateTenants("Acme"));
    ASSERT_NO_FATAL_FAILURE(AddWhatsAppChannel("EAAG-events-token"));
    parley_->Start();
  }

  std::unique_ptr<SseClient> Open(const std::string& key, const std::string& last_event_id = {},
                                  const std::string& query = {}) {
    std::vector<std::pair<std::string, std::string>> headers{{"Authorization", "Bearer " + key}};
    if (!last_event_id.empty()) headers.emplace_back("Last-Event-ID", last_event_id);
    auto client = std::make_unique<SseClient>(parley_->url("/api/events" + query), headers);
    EXPECT_EQ(client->status(), 200) << client->body();
    return client;
  }

  void Customer(const std::string& from, const std::string& id, const std::string& text) {
    EXPECT_EQ(PostCustomerText(from, id, text).status, 200);
  }
};

TEST_F(EventsTest, AWebhookMessageAndAPersonsActionsReachTheOpenStreamOnly) {
  auto stream = Open(key_);
  auto other = Open(other_key_);
  EXPECT_EQ(stream->headers().at("content-type"), "text/event-stream");
  EXPECT_EQ(stream->headers().at("cache-control"), "no-cache");
  ASSERT_TRUE(stream->WaitUntil([](const auto& events) { return !events.empty(); }, 5s));
  EXPECT_EQ(stream->Events().front().retry, "2000");

  Customer("33611111111", "wamid.EV1", "Is the shop open on Sunday?");
  auto events = stream->WaitForData(2, 5s);
  ASSERT_EQ(Types(events), (std::vector<std::string>{"conversation.created", "message.created"}));
  json::object created = json::parse(events[0].data).as_object();
  json::object message = json::parse(events[1].data).as_object();
  const int64_t conversation = created.at("data").at("conversation").at("id").to_number<int64_t>();
  EXPECT_EQ(created.at("data").at("conversation").at("contact").at("platform_id"), "33611111111");
  EXPECT_EQ(message.at("data").at("conversation_id").to_number<int64_t>(), conversation);
  EXPECT_EQ(message.at("data").at("message").at("text"), "Is the shop open on Sunday?");
  EXPECT_EQ(message.at("data").at("message").at("direction"), "in");
  EXPECT_EQ(events[1].id, std::to_string(message.at("id").to_number<int64_t>()));
  EXPECT_GT(message.at("id").to_number<int64_t>(), created.at("id").to_number<int64_t>());
  EXPECT_TRUE(std::string(message.at("created_at").as_string()).ends_with("Z"));

  // A person answers: their message, the conversation in human mode, then the send's tick.
  const std::string path = "/api/conversations/" + std::to_string(conversation);
  ASSERT_EQ(Api("POST", path + "/messages", R"({"text":"Yes, 10 to 6."})").status, 202);
  ASSERT_TRUE(stream->WaitUntil(
      [](const auto& all) {
        for (const auto& e : all) {
          if (e.data.find("\"message.updated\"") != std::string::npos) return true;
        }
        return false;
      },
      5s));
  events = stream->WaitForData(5, 1s);
  ASSERT_GE(events.size(), 5u);
  json::object reply = json::parse(events[2].data).as_object();
  EXPECT_EQ(reply.at("type"), "message.created");
  EXPECT_EQ(reply.at("data").at("message").at("direction"), "out");
  EXPECT_EQ(reply.at("data").at("message").at("text"), "Yes, 10 to 6.");
  json::object human = json::parse(events[3].data).as_object();
  EXPECT_EQ(human.at("type"), "conversation.updated");
  EXPECT_EQ(human.at("data").at("conversation").at("mode"), "human");
  json::object tick = json::parse(events[4].data).as_object();
  EXPECT_EQ(tick.at("type"), "message.updated");
  EXPECT_EQ(tick.at("data").at("status"), "sent");
  EXPECT_EQ(tick.at("data").at("message_id"), reply.at("data").at("message").at("id"));

  // Handed back to the bot.
  ASSERT_EQ(Api("PUT", path + "/mode", R"({"mode":"bot"})").status, 200);
  events = stream->WaitForData(6, 5s);
  ASSERT_EQ(events.size(), 6u);
  json::object back = json::parse(events[5].data).as_object();
  EXPECT_EQ(back.at("type"), "conversation.updated");
  EXPECT_EQ(back.at("data").at("conversation").at("mode"), "bot");

  // Ids increase one by one for the tenant.
  for (size_t i = 1; i < events.size(); ++i) EXPECT_EQ(std::stoll(events[i].id), std::stoll(events[i - 1].id) + 1);
  // The other tenant's stream heard only keepalives meanwhile.
  ASSERT_TRUE(other->WaitUntil(
      [](const auto& all) {
        for (const auto& e : all) {
          if (e.comment == "keepalive") return true;
        }
        return false;
      },
      5s));
  EXPECT_TRUE(other->WaitForData(1, 300ms).empty());
}

TEST_F(EventsTest, AReconnectWithLastEventIdGetsExactlyWhatWasMissed) {
  auto stream = Open(key_);
  Customer("33622222222", "wamid.R1", "first");
  auto seen = stream->WaitForData(2, 5s);
  ASSERT_EQ(seen.size(), 2u);
  const std::string last_seen = seen.back().id;
  stream->Close();

  // While the dashboard is away: three more messages, one of them opening another conversation.
  Customer("33622222222", "wamid.R2", "second");
  Customer("33622222222", "wamid.R3", "third");
  Customer("33633333333", "wamid.R4", "fourth");
  // message.created twice, conversation.created + message.created.
  constexpr size_t kMissed = 4;

  auto resumed = Open(key_, last_seen);
  auto missed = resumed->WaitForData(kMissed, 5s);
  ASSERT_EQ(missed.size(), kMissed);
  EXPECT_TRUE(resumed->WaitForData(kMissed + 1, 700ms).size() == kMissed) << "nothing more, nothing twice";
  std::set<std::string> texts;
  for (size_t i = 0; i < missed.size(); ++i) {
    EXPECT_EQ(std::stoll(missed[i].id), std::stoll(last_seen) + 1 + static_cast<int64_t>(i));
    json::object event = json::parse(missed[i].data).as_object();
    if (event.at("type") == "message.created")
      texts.insert(std::string(event.at("data").at("message").at("text").as_string()));
  }
  EXPECT_EQ(texts, (std::set<std::string>{"second", "third", "fourth"}));

  // The query parameter does the same (for clients that cannot set the header), and live events follow.
  auto by_query = Open(key_, {}, "?last_event_id=" + last_seen);
  EXPECT_EQ(by_query->WaitForData(kMissed, 5s).size(), kMissed);
  Customer("33622222222", "wamid.R5", "fifth");
  auto live = by_query->WaitForData(kMissed + 1, 5s);
  ASSERT_EQ(live.size(), kMissed + 1);
  EXPECT_EQ(json::parse(live[kMissed].data).at("data").at("message").at("text"), "fifth");
}

TEST_F(EventsTest, AStaleIdGetsStreamResetThenLiveEvents) {
  // An id the log never gave.
  auto future = Open(key_, "999999");
  auto reset = future->WaitForData(1, 5s);
  ASSERT_EQ(reset.size(), 1u);
  EXPECT_EQ(json::parse(reset[0].data).at("type"), "stream.reset");
  future->Close();

  // An id pruned from the log: 51 new conversations are 102 events, beyond the 100 kept; the restart prunes.
  for (int i = 0; i < 51; ++i) {
    Customer("3364444" + std::to_string(1000 + i), "wamid.P" + std::to_string(i), "hello");
  }
  ASSERT_EQ(parley_->Terminate(), 0);
  parley_->Start();
  // The restart prunes in the background: a stream opened before that pass still finds id 1 and resumes from it.
  std::unique_ptr<SseClient> stale;
  std::vector<SseEvent> events;
  ASSERT_TRUE(Eventually(
      [&] {
        stale = Open(key_, "1");
        events = stale->WaitForData(1, 5s);
        if (!events.empty() && json::parse(events[0].data).at("type") == "stream.reset") return true;
        stale->Close();
        return false;
      },
      20s));
  EXPECT_EQ(events[0].id, "102") << "resumes from the current end";
  Customer("33655555555", "wamid.P-live", "after the reset");
  events = stale->WaitForData(3, 5s);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(Types(events), (std::vector<std::string>{"stream.reset", "conversation.created", "message.created"}));
  EXPECT_EQ(events[1].id, "103");
}

TEST_F(EventsTest, TheStreamNeedsCredentialsAndEndsWhenTheServerStops) {
  SseClient anonymous(parley_->url("/api/events"), {});
  EXPECT_EQ(anonymous.status(), 401);
  SseClient bad_id(parley_->url("/api/events"), {{"Authorization", "Bearer " + key_}, {"Last-Event-ID", "abc"}});
  EXPECT_EQ(bad_id.status(), 400);

  auto stream = Open(key_);
  ASSERT_TRUE(stream->WaitUntil([](const auto& events) { return !events.empty(); }, 5s));
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(parley_->Terminate(), 0);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s) << "an open stream must not hold the shutdown";
  EXPECT_TRUE(stream->WaitUntil([](const auto&) { return false; }, 2s) || stream->ended());
  EXPECT_TRUE(stream->ended());
}

}  // namespace
}  // namespace parley::testing
