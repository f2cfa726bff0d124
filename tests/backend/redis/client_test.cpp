// The Redis client against real servers: commands and their errors, a server that is not there, pub/sub between
// two clients, and a server killed and started again under a subscriber, or not there yet when it started.

#include "redis/client.h"

#include "support/backend_servers.h"
#include "support/io_thread.h"
#include "support/own_redis_server.h"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <thread>

namespace parley::redis {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using testing::Eventually;

std::string UniqueKey(const std::string& what) {
  return "parley-test:" + what + ":" + std::to_string(::getpid()) + ":" + std::to_string(std::rand());
}

// A started client on `io`, stopped (and awaited) when the test ends.
class StartedClient {
 public:
  StartedClient(testing::IoThread& io, const std::string& url, ClientOptions options = {})
      : io_(io), client_(io.executor(), ParseUrl(url).value(), options) {}
  ~StartedClient() { io_.Await(client_.Stop()); }
  Client& operator*() { return client_; }
  Client* operator->() { return &client_; }

  Result<Reply> Run(std::vector<std::string> args) { return io_.Await(client_.Command(std::move(args))); }

 private:
  testing::IoThread& io_;
  Client client_;
};

TEST(RedisClientTest, CommandsAnswerInOrderAndServerErrorsAreReplies) {
  testing::IoThread io;
  StartedClient client(io, testing::TestRedisUrl());
  client->Start();
  ASSERT_TRUE(Eventually([&] { return client->state().connected; }, 10s));
  const std::string key = UniqueKey("set");
  auto set = client.Run({"SET", key, "a value with spaces\r\nand a newline", "PX", "60000"});
  ASSERT_TRUE(set);
  EXPECT_EQ(set->type, Reply::Type::kStatus);
  auto got = client.Run({"GET", key});
  ASSERT_TRUE(got);
  EXPECT_EQ(got->text, "a value with spaces\r\nand a newline");
  EXPECT_EQ(client.Run({"GET", key + ":missing"})->type, Reply::Type::kNil);
  auto wrong = client.Run({"INCR", key});
  ASSERT_TRUE(wrong);  // The server's error is a reply, not a failed command.
  EXPECT_TRUE(wrong->is_error());
  EXPECT_NE(wrong->text.find("not an integer"), std::string::npos);

  // Many at once share the connection (pipelined) and each gets its own answer.
  auto many = [&client = *client, key]() -> asio::awaitable<std::vector<int64_t>> {
    std::vector<int64_t> values;
    for (int i = 0; i < 50; ++i) {
      std::vector<std::string> incr{"INCRBY", key + ":counter", "2"};
      auto reply = co_await client.Command(incr);
      values.push_back(reply ? reply->integer : -1);
    }
    co_return values;
  };
  auto values = io.Await(many());
  for (int i = 0; i < 50; ++i) EXPECT_EQ(values[i], 2 * (i + 1));
  client.Run({"DEL", key, key + ":counter"});
}

TEST(RedisClientTest, NoServerFailsAtOnceWithUnavailable) {
  testing::IoThread io;
  testing::OwnRedisServer server;
  const std::string url = server.url();
  server.Stop();  // Its port is now closed.
  StartedClient client(io, url, {.reconnect_min = 50ms, .reconnect_max = 200ms});
  client->Start();
  auto reply = client.Run({"PING"});
  ASSERT_FALSE(reply);
  EXPECT_EQ(reply.error().code, ErrorCode::kUnavailable);
  EXPECT_TRUE(Eventually([&] { return !client->state().last_error.empty(); }, 10s));
  EXPECT_FALSE(client->state().connected);
  EXPECT_EQ(client->state().endpoint, url);

  // And the client connects by itself once the server is there.
  server.Start();
  EXPECT_TRUE(Eventually([&] { return client->state().connected; }, 10s));
  EXPECT_EQ(client.Run({"PING"})->text, "PONG");
}

TEST(RedisClientTest, AWrongPasswordIsRefusedAndNeverLogged) {
  testing::IoThread io;
  testing::OwnRedisServer server;
  {
    StartedClient admin(io, server.url());
    admin->Start();
    ASSERT_TRUE(Eventually([&] { return admin->state().connected; }, 10s));
    ASSERT_TRUE(admin.Run({"CONFIG", "SET", "requirepass", "right-password"}));
  }
  std::string url = "redis://:wrong-password@127.0.0.1:" + std::to_string(server.port());
  StartedClient wrong(io, url, {.reconnect_min = 50ms, .reconnect_max = 100ms});
  wrong->Start();
  ASSERT_TRUE(Eventually([&] { return !wrong->state().last_error.empty(); }, 10s));
  EXPECT_FALSE(wrong->state().connected);
  EXPECT_EQ(wrong->state().last_error.find("wrong-password"), std::string::npos) << wrong->state().last_error;
  EXPECT_EQ(wrong->state().endpoint.find("wrong-password"), std::string::npos);

  StartedClient right(io, "redis://:right-password@127.0.0.1:" + std::to_string(server.port()) + "/3");
  right->Start();
  ASSERT_TRUE(Eventually([&] { return right->state().connected; }, 10s));
  EXPECT_EQ(right.Run({"PING"})->text, "PONG");
}

// Messages received by a subscriber client, by channel.
struct Inbox {
  std::mutex mutex;
  std::vector<std::pair<std::string, std::string>> messages;
  std::atomic<int> resubscribed{0};

  void Attach(Client& client) {
    client.AddMessageHandler([this](const std::string& channel, const std::string& payload) {
      std::lock_guard lock(mutex);
      messages.emplace_back(channel, payload);
    });
    client.AddResubscribedHandler([this] { ++resubscribed; });
  }
  bool Has(const std::string& channel, const std::string& payload) {
    std::lock_guard lock(mutex);
    return std::find(messages.begin(), messages.end(), std::pair{channel, payload}) != messages.end();
  }
  size_t Count() {
    std::lock_guard lock(mutex);
    return messages.size();
  }
};

// Publishes `payload` until the subscriber has it: a SUBSCRIBE is confirmed asynchronously, so the first
// publications may come before it.
bool PublishUntilReceived(StartedClient& publisher, Inbox& inbox, const std::string& channel,
                          const std::string& payload) {
  return Eventually(
      [&] {
        publisher.Run({"PUBLISH", channel, payload});
        return inbox.Has(channel, payload);
      },
      10s);
}

TEST(RedisClientTest, ASubscriberReceivesAnotherClientsMessagesUntilItLeaves) {
  testing::IoThread io;
  StartedClient publisher(io, testing::TestRedisUrl());
  StartedClient subscriber(io, testing::TestRedisUrl());
  Inbox inbox;
  inbox.Attach(*subscriber);
  publisher->Start();
  subscriber->Start();
  const std::string channel = UniqueKey("channel");
  subscriber->Subscribe(channel);
  subscriber->Subscribe(channel);  // Twice: it takes two Unsubscribe calls to leave.
  ASSERT_TRUE(Eventually([&] { return publisher->state().connected; }, 10s));
  ASSERT_TRUE(PublishUntilReceived(publisher, inbox, channel, "1"));

  subscriber->Unsubscribe(channel);
  ASSERT_TRUE(PublishUntilReceived(publisher, inbox, channel, "2"));  // Still held once.
  subscriber->Unsubscribe(channel);
  // Left: the server counts no subscriber on the channel any more.
  EXPECT_TRUE(Eventually([&] { return publisher.Run({"PUBLISH", channel, "3"})->integer == 0; }, 10s));
  EXPECT_FALSE(inbox.Has(channel, "3"));

  // Joined, left and joined again at once (the UNSUBSCRIBE still unconfirmed): it receives again.
  subscriber->Subscribe(channel);
  subscriber->Unsubscribe(channel);
  subscriber->Subscribe(channel);
  EXPECT_TRUE(PublishUntilReceived(publisher, inbox, channel, "4"));

  // Left and joined twice while the first UNSUBSCRIBE is unconfirmed: still one subscription in the end.
  subscriber->Unsubscribe(channel);
  subscriber->Subscribe(channel);
  subscriber->Unsubscribe(channel);
  subscriber->Subscribe(channel);
  EXPECT_TRUE(PublishUntilReceived(publisher, inbox, channel, "5"));
}

TEST(RedisClientTest, ASubscriberSurvivesTheServerKilledAndStartedAgain) {
  testing::IoThread io;
  testing::OwnRedisServer server;
  const ClientOptions quick{.reconnect_min = 50ms, .reconnect_max = 200ms};
  StartedClient publisher(io, server.url(), quick);
  StartedClient subscriber(io, server.url(), quick);
  Inbox inbox;
  inbox.Attach(*subscriber);
  publisher->Start();
  subscriber->Start();
  subscriber->Subscribe("parley-test:restart");
  ASSERT_TRUE(Eventually([&] { return publisher->state().connected; }, 10s));
  ASSERT_TRUE(PublishUntilReceived(publisher, inbox, "parley-test:restart", "before"));
  const int opened = inbox.resubscribed.load();
  EXPECT_EQ(opened, 0);  // Open at the first attempt: nothing was missed.

  server.Stop();
  EXPECT_TRUE(Eventually([&] { return !publisher->state().connected; }, 10s));
  auto refused = publisher.Run({"PUBLISH", "parley-test:restart", "while-down"});
  EXPECT_FALSE(refused);
  server.Start();

  EXPECT_TRUE(Eventually([&] { return publisher->state().connected; }, 10s));
  EXPECT_TRUE(PublishUntilReceived(publisher, inbox, "parley-test:restart", "after"));
  EXPECT_GT(inbox.resubscribed.load(), opened);  // Told that it may have missed messages.
  EXPECT_FALSE(inbox.Has("parley-test:restart", "while-down"));
}

// Started while the server was down: until it answers, another process's messages go unheard, so the first
// subscription made is, like a reopened one, announced as one that may have missed messages.
TEST(RedisClientTest, ASubscriberStartedWhileTheServerWasDownIsToldItMayHaveMissedMessages) {
  testing::IoThread io;
  testing::OwnRedisServer server;
  const std::string url = server.url();
  server.Stop();
  const ClientOptions quick{.reconnect_min = 50ms, .reconnect_max = 200ms};
  StartedClient publisher(io, url, quick);
  StartedClient subscriber(io, url, quick);
  Inbox inbox;
  inbox.Attach(*subscriber);
  subscriber->Subscribe("parley-test:late");
  subscriber->Start();
  publisher->Start();
  ASSERT_TRUE(Eventually([&] { return !subscriber->state().last_error.empty(); }, 10s));
  // The subscriber connection starts with the commands' one: by now its attempts have failed too (a closed loopback
  // port refuses at once, and they are retried every 50 to 200 ms).
  std::this_thread::sleep_for(300ms);
  server.Start();

  EXPECT_TRUE(Eventually([&] { return publisher->state().connected; }, 10s));
  EXPECT_TRUE(PublishUntilReceived(publisher, inbox, "parley-test:late", "after"));
  EXPECT_EQ(inbox.resubscribed.load(), 1);
}

TEST(RedisClientTest, ACommandUnansweredInTimeFailsAndTheConnectionIsReopened) {
  testing::IoThread io;
  testing::OwnRedisServer server;
  StartedClient client(io, server.url(), {.command_timeout = 300ms, .reconnect_min = 50ms, .reconnect_max = 200ms});
  StartedClient admin(io, server.url());
  client->Start();
  admin->Start();
  ASSERT_TRUE(Eventually([&] { return client->state().connected && admin->state().connected; }, 10s));
  // The server holds every client's commands for 2 s: the next reply comes past the timeout.
  ASSERT_TRUE(admin.Run({"CLIENT", "PAUSE", "2000", "ALL"}));
  auto slow = client.Run({"PING"});
  ASSERT_FALSE(slow);
  EXPECT_EQ(slow.error().code, ErrorCode::kTimeout);
  EXPECT_TRUE(Eventually([&] { return client.Run({"PING"}).has_value(); }, 10s));
}

TEST(RedisClientTest, StoppingFailsWhatIsInFlightAndLaterCommands) {
  testing::IoThread io;
  Client client(io.executor(), ParseUrl(testing::TestRedisUrl()).value());
  client.Start();
  ASSERT_TRUE(Eventually([&] { return client.state().connected; }, 10s));
  io.Await(client.Stop());
  auto after = io.Await(client.Command({"PING"}));
  ASSERT_FALSE(after);
  EXPECT_EQ(after.error().code, ErrorCode::kCancelled);
}

}  // namespace
}  // namespace parley::redis
