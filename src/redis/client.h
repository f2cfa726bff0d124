#pragma once
// A Redis client for what several `parley serve` processes share (PARLEY_REDIS_URL): commands as coroutines and
// pub/sub, over hiredis's asynchronous API driven by Boost.Asio (no thread of its own, no blocking call on an I/O
// thread; host names are resolved with Asio's resolver). Only this module sees hiredis.
//
// Two connections: one for commands, pipelined, and one that holds the subscriptions (a subscribed Redis connection
// takes no other command). Either one, lost, is reopened with a growing pause (ClientOptions::reconnect_*), and the
// subscriptions are sent again on the new one. Nothing is queued while a connection is down: a command fails at once
// (kUnavailable), so that callers with a fallback (the rate limiters) decide without waiting, and a message
// published meanwhile is not received (the event bus's announcements tolerate that, see events/event_bus.h).
//
// The URL's password never reaches a log line or an error: Endpoint::Redacted() is what is shown.

#include "core/error.h"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace parley::redis {

// Where a Redis server is: redis://[[user]:password@]host[:port][/db]. (rediss:// is not supported: TLS to Redis
// is left to a tunnel or a local socket proxy.)
struct Endpoint {
  std::string host;
  uint16_t port = 6379;
  std::string user;      //!< Empty: AUTH with the password alone (the default user).
  std::string password;  //!< Empty: no AUTH.
  int db = 0;

  // redis://host:port/db, without the credentials: what logs and errors show.
  std::string Redacted() const;
};

// Parses a redis:// URL. kInvalidArgument names what is wrong, never the password.
Result<Endpoint> ParseUrl(std::string_view url);

// One reply, copied out of hiredis.
struct Reply {
  enum class Type { kNil, kInteger, kString, kStatus, kError, kArray };
  Type type = Type::kNil;
  int64_t integer = 0;          //!< kInteger.
  std::string text;             //!< kString, kStatus, kError (the server's message, such as "NOSCRIPT …").
  std::vector<Reply> elements;  //!< kArray.

  bool is_error() const { return type == Type::kError; }
};

struct ClientOptions {
  //! A command not answered within this is failed (kTimeout) and its connection presumed dead: closed and reopened.
  std::chrono::milliseconds command_timeout{1000};
  //! The pause before reopening a lost connection starts here and doubles up to reconnect_max.
  std::chrono::milliseconds reconnect_min{100};
  std::chrono::milliseconds reconnect_max{5000};
  //! Connecting (resolution, TCP, AUTH) taking longer than this counts as a failed attempt.
  std::chrono::milliseconds connect_timeout{2000};
};

// What the client knows of its command connection, for /api/health.
struct ClientState {
  bool connected = false;  //!< The command connection is open and authenticated.
  std::string endpoint;    //!< Endpoint::Redacted().
  std::string last_error;  //!< Why the last attempt or the last connection failed; empty when none did.
};

// A message received on a subscribed channel. Called on the client's strand: it must be quick and must not block
// (post anything longer elsewhere).
using MessageHandler = std::function<void(const std::string& channel, const std::string& payload)>;

class Client {
 public:
  // Makes a client that runs on a strand of its own over `executor`. Connects on Start().
  Client(boost::asio::any_io_executor executor, Endpoint endpoint, ClientOptions options = {});
  // After Stop() has completed, or once no thread runs the executor any more (it closes the connections then): the
  // executor must outlive the client.
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Opens the command connection (and the subscriber connection once a channel is subscribed), then keeps them open
  // until Stop(). Thread-safe; returns at once.
  void Start();
  // Closes both connections: commands in flight fail with kCancelled, no reconnection follows. Completes on the
  // awaiting coroutine's executor once they are closed. Thread-safe; the client cannot be started again.
  boost::asio::awaitable<void> Stop();

  // Sends one command (`args[0]` is its name) and completes with its reply on the awaiting coroutine's executor.
  // A reply of the server's own error is a Reply of kError, not a failed Result. Fails with kUnavailable when the
  // connection is not open (at once) or is lost before the answer, kTimeout past ClientOptions::command_timeout,
  // kCancelled when the client stops. Thread-safe; any number in flight (pipelined).
  boost::asio::awaitable<Result<Reply>> Command(std::vector<std::string> args);

  // Adds a receiver of every message of the subscribed channels (each user filters the channels it subscribed to).
  // Add before the first Subscribe; not thread-safe.
  void AddMessageHandler(MessageHandler handler);
  // Adds a callback run on the client's strand each time the subscriber connection opens after being lost or after
  // failed attempts (its first ones too: Redis unreachable when the process started), once its subscriptions are
  // sent: messages published in between were missed. Not run when the first attempt succeeds. Add before the first
  // Subscribe; not thread-safe.
  void AddResubscribedHandler(std::function<void()> handler);
  // Subscribes to `channel` / leaves it: counted, so that a channel is left when every Subscribe has had its
  // Unsubscribe. Thread-safe, returns at once; the subscription holds across reconnections.
  void Subscribe(std::string channel);
  void Unsubscribe(std::string channel);

  // Thread-safe snapshot.
  ClientState state() const;
  const Endpoint& endpoint() const { return endpoint_; }

 private:
  class Impl;
  const Endpoint endpoint_;
  std::shared_ptr<Impl> impl_;
};

}  // namespace parley::redis
