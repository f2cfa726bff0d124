#pragma once
// One hiredis asynchronous connection driven by Boost.Asio: the adapter hiredis's event hooks (addRead, delRead,
// addWrite, delWrite, cleanup) need, over a posix::stream_descriptor on the connection's socket, and the connection's
// life: resolve, connect, AUTH and SELECT, then reopen after a growing pause whenever it is lost. Internal to
// redis/ (client.cpp uses it): everything here runs on one strand, hiredis is not thread-safe.

#include "redis/client.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include <functional>
#include <memory>
#include <string>
#include <vector>

struct redisAsyncContext;
struct redisReply;

namespace parley::redis {

using Strand = boost::asio::strand<boost::asio::any_io_executor>;

// Called on the strand with the reply, or with nullptr when the connection is lost (or closed) before it came.
// Inside hiredis: it must not close the connection itself (post that).
using ReplyCallback = std::function<void(redisReply*)>;

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  struct Events {
    std::function<void()> on_ready;                       //!< Open and authenticated.
    std::function<void(const std::string& why)> on_lost;  //!< An open connection lost, or an attempt failed.
    std::function<void(redisReply*)> on_push;             //!< A pub/sub message or (un)subscribe confirmation.
  };

  // `role` names the connection in logs ("commands", "subscriber").
  Connection(Strand strand, Endpoint endpoint, ClientOptions options, std::string role, Events events);
  // Frees the hiredis context if Stop() did not: pending callbacks run with nullptr.
  ~Connection();

  // All of the following on the strand.
  void Start();
  // Closes the connection (pending callbacks run with nullptr) and stops reconnecting.
  void Stop();
  // Closes the current connection as lost (`why` is logged) and reopens it after the pause.
  void Drop(const std::string& why);
  bool ready() const { return ready_; }

  // Sends a command; false when the connection is not ready (nothing sent, `done` not called).
  bool Send(const std::vector<std::string>& args, ReplyCallback done);
  // Sends SUBSCRIBE or UNSUBSCRIBE: its confirmations and then the channel's messages go to Events::on_push.
  bool SendSubscription(const std::vector<std::string>& args);

 private:
  // hiredis's callbacks, with the Connection in the context's `data` or `ev.data`.
  static void OnConnect(const redisAsyncContext* context, int status);
  static void OnDisconnect(const redisAsyncContext* context, int status);
  static void OnReply(redisAsyncContext* context, void* reply, void* privdata);
  static void OnPush(redisAsyncContext* context, void* reply, void* privdata);
  static void AddRead(void* self);
  static void DelRead(void* self);
  static void AddWrite(void* self);
  static void DelWrite(void* self);
  static void Cleanup(void* self);

  void Connect();
  void Open(const std::string& address, uint16_t port);
  void Handshake();
  void MarkReady();
  // Ends the current attempt or connection: frees the context unless hiredis is already freeing it, reports the
  // loss and, unless stopping, schedules the next attempt.
  void Fail(const std::string& why);
  void FreeContext();
  void ArmRead();
  void ArmWrite();
  bool SendRaw(const std::vector<std::string>& args, void (*callback)(redisAsyncContext*, void*, void*),
               void* privdata);

  Strand strand_;
  const Endpoint endpoint_;
  const ClientOptions options_;
  const std::string role_;
  const Events events_;

  boost::asio::ip::tcp::resolver resolver_;
  boost::asio::steady_timer connect_timer_;
  boost::asio::steady_timer retry_timer_;
  boost::asio::posix::stream_descriptor socket_;

  redisAsyncContext* context_ = nullptr;
  bool ready_ = false;
  bool stopping_ = false;
  bool freeing_ = false;       //!< Inside our own redisAsyncFree: hiredis's disconnect callback is ours to ignore.
  uint64_t attempt_ = 0;       //!< Bumped per attempt and per failure: stale handlers of an attempt see it moved.
  uint64_t socket_epoch_ = 0;  //!< Bumped when the socket is released: stale readiness waits see it moved.
  bool want_read_ = false;
  bool want_write_ = false;
  bool read_armed_ = false;
  bool write_armed_ = false;
  int handshake_replies_ = 0;  //!< AUTH and SELECT replies still awaited before the connection is ready.
  bool was_ready_ = false;     //!< Ready at least once since the last failure was logged.
  int failures_ = 0;           //!< Failed attempts in a row (logged once, then at debug level).
  std::chrono::milliseconds backoff_;
};

}  // namespace parley::redis
