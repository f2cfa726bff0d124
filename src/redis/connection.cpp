#include "redis/connection.h"

#include "core/log.h"

#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include <algorithm>

namespace parley::redis {
namespace {

namespace asio = boost::asio;

Connection& Of(const redisAsyncContext* context) { return *static_cast<Connection*>(context->data); }
Connection& Of(void* self) { return *static_cast<Connection*>(self); }

}  // namespace

Connection::Connection(Strand strand, Endpoint endpoint, ClientOptions options, std::string role, Events events)
    : strand_(std::move(strand)),
      endpoint_(std::move(endpoint)),
      options_(options),
      role_(std::move(role)),
      events_(std::move(events)),
      resolver_(strand_),
      connect_timer_(strand_),
      retry_timer_(strand_),
      socket_(strand_),
      backoff_(options.reconnect_min) {}

Connection::~Connection() {
  stopping_ = true;
  FreeContext();
}

void Connection::Start() { Connect(); }

void Connection::Stop() {
  stopping_ = true;
  ++attempt_;
  resolver_.cancel();
  connect_timer_.cancel();
  retry_timer_.cancel();
  FreeContext();
  ready_ = false;
}

void Connection::Drop(const std::string& why) {
  if (context_ != nullptr) Fail(why);
}

void Connection::Connect() {
  if (stopping_) return;
  const uint64_t attempt = ++attempt_;
  connect_timer_.expires_after(options_.connect_timeout);
  connect_timer_.async_wait([self = shared_from_this(), attempt](boost::system::error_code ec) {
    if (ec || attempt != self->attempt_ || self->ready_) return;
    self->Fail("connecting timed out");
  });
  resolver_.async_resolve(
      endpoint_.host, std::to_string(endpoint_.port),
      [self = shared_from_this(), attempt](boost::system::error_code ec, asio::ip::tcp::resolver::results_type found) {
        if (attempt != self->attempt_) return;
        if (ec || found.empty()) {
          self->Fail("cannot resolve the host: " + (ec ? ec.message() : std::string("no address")));
          return;
        }
        const auto address = found.begin()->endpoint();
        self->Open(address.address().to_string(), address.port());
      });
}

void Connection::Open(const std::string& address, uint16_t port) {
  // A numeric address: hiredis's own resolution (getaddrinfo) returns at once, and its connect does not block.
  redisAsyncContext* context = redisAsyncConnect(address.c_str(), port);
  if (context == nullptr) {
    Fail("cannot allocate a connection");
    return;
  }
  if (context->err != 0) {
    const std::string why = context->errstr;
    redisAsyncFree(context);
    Fail(why);
    return;
  }
  context_ = context;
  context->data = this;
  redisAsyncSetConnectCallback(context, &Connection::OnConnect);
  redisAsyncSetDisconnectCallback(context, &Connection::OnDisconnect);
  boost::system::error_code ec;
  socket_.assign(context->c.fd, ec);
  if (ec) {
    Fail("cannot watch the socket: " + ec.message());
    return;
  }
  context->ev.data = this;
  context->ev.addRead = &Connection::AddRead;
  context->ev.delRead = &Connection::DelRead;
  context->ev.addWrite = &Connection::AddWrite;
  context->ev.delWrite = &Connection::DelWrite;
  context->ev.cleanup = &Connection::Cleanup;
  redisEnableKeepAlive(&context->c);  // A server gone without a word is noticed by the subscriber, which only reads.
  // Writable once connected; the handshake is queued now and written then.
  want_read_ = want_write_ = true;
  ArmRead();
  ArmWrite();
  Handshake();
}

void Connection::Handshake() {
  handshake_replies_ = 0;
  const auto expect_ok = [](redisAsyncContext* context, void* reply, void*) {
    Connection& self = Of(context);
    auto* r = static_cast<redisReply*>(reply);
    if (r == nullptr) return;  // Lost meanwhile: already reported.
    if (r->type == REDIS_REPLY_ERROR) {
      // The server's words ("WRONGPASS …", "ERR DB index is out of range") never quote the password.
      const std::string why = "refused the handshake: " + std::string(r->str, r->len);
      asio::post(self.strand_, [keep = self.shared_from_this(), attempt = self.attempt_, why] {
        if (attempt == keep->attempt_) keep->Fail(why);
      });
      return;
    }
    if (--self.handshake_replies_ == 0) self.MarkReady();
  };
  if (!endpoint_.password.empty()) {
    std::vector<std::string> auth{"AUTH"};
    if (!endpoint_.user.empty()) auth.push_back(endpoint_.user);
    auth.push_back(endpoint_.password);
    if (SendRaw(auth, expect_ok, nullptr)) ++handshake_replies_;
  }
  if (endpoint_.db != 0) {
    if (SendRaw({"SELECT", std::to_string(endpoint_.db)}, expect_ok, nullptr)) ++handshake_replies_;
  }
}

void Connection::MarkReady() {
  ready_ = true;
  connect_timer_.cancel();
  backoff_ = options_.reconnect_min;
  if (failures_ > 0) {
    log::Info("redis_connected",
              {{"endpoint", endpoint_.Redacted()}, {"connection", role_}, {"after_failures", failures_}});
  } else {
    log::Debug("redis_connected", {{"endpoint", endpoint_.Redacted()}, {"connection", role_}});
  }
  failures_ = 0;
  was_ready_ = true;
  if (events_.on_ready) events_.on_ready();
}

void Connection::Fail(const std::string& why) {
  ++attempt_;
  resolver_.cancel();
  connect_timer_.cancel();
  FreeContext();
  const bool was_open = ready_;
  ready_ = false;
  if (stopping_) return;
  if (was_open) {
    log::Warn("redis_connection_lost", {{"endpoint", endpoint_.Redacted()}, {"connection", role_}, {"error", why}});
  } else if (failures_ == 0) {
    log::Warn("redis_unreachable", {{"endpoint", endpoint_.Redacted()}, {"connection", role_}, {"error", why}});
  } else {
    log::Debug("redis_unreachable", {{"endpoint", endpoint_.Redacted()}, {"connection", role_}, {"error", why}});
  }
  ++failures_;
  if (events_.on_lost) events_.on_lost(why);
  retry_timer_.expires_after(backoff_);
  backoff_ = std::min(backoff_ * 2, options_.reconnect_max);
  retry_timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
    if (!ec) self->Connect();
  });
}

void Connection::FreeContext() {
  if (context_ == nullptr) return;
  redisAsyncContext* context = context_;
  freeing_ = true;
  redisAsyncFree(context);  // Runs the pending callbacks with nullptr, then Cleanup (context_ = nullptr).
  freeing_ = false;
  context_ = nullptr;
}

bool Connection::Send(const std::vector<std::string>& args, ReplyCallback done) {
  if (!ready_) return false;
  auto* callback = new ReplyCallback(std::move(done));
  if (!SendRaw(args, &Connection::OnReply, callback)) {
    delete callback;
    return false;
  }
  return true;
}

bool Connection::SendSubscription(const std::vector<std::string>& args) {
  return ready_ && SendRaw(args, &Connection::OnPush, nullptr);
}

bool Connection::SendRaw(const std::vector<std::string>& args, void (*callback)(redisAsyncContext*, void*, void*),
                         void* privdata) {
  if (context_ == nullptr || args.empty()) return false;
  std::vector<const char*> argv;
  std::vector<size_t> lengths;
  argv.reserve(args.size());
  lengths.reserve(args.size());
  for (const auto& arg : args) {
    argv.push_back(arg.data());
    lengths.push_back(arg.size());
  }
  return redisAsyncCommandArgv(context_, callback, privdata, static_cast<int>(args.size()), argv.data(),
                               lengths.data()) == REDIS_OK;
}

void Connection::OnConnect(const redisAsyncContext* context, int status) {
  Connection& self = Of(context);
  if (status != REDIS_OK) {
    // hiredis frees the context when this returns.
    const std::string why = context->errstr;
    self.context_ = nullptr;
    self.Fail(why);
    return;
  }
  if (self.handshake_replies_ == 0) self.MarkReady();
}

void Connection::OnDisconnect(const redisAsyncContext* context, int status) {
  Connection& self = Of(context);
  if (self.freeing_) return;  // Our own Fail or Stop, which reports it.
  // hiredis frees the context when this returns.
  const std::string why = status == REDIS_OK ? "closed" : (context->errstr ? context->errstr : "closed");
  self.context_ = nullptr;
  self.Fail(why.empty() ? "closed by the server" : why);
}

void Connection::OnReply(redisAsyncContext*, void* reply, void* privdata) {
  std::unique_ptr<ReplyCallback> done(static_cast<ReplyCallback*>(privdata));
  (*done)(static_cast<redisReply*>(reply));
}

void Connection::OnPush(redisAsyncContext* context, void* reply, void*) {
  if (reply == nullptr) return;  // The connection is closing.
  Connection& self = Of(context);
  if (self.events_.on_push) self.events_.on_push(static_cast<redisReply*>(reply));
}

void Connection::AddRead(void* self) {
  Of(self).want_read_ = true;
  Of(self).ArmRead();
}
void Connection::DelRead(void* self) { Of(self).want_read_ = false; }
void Connection::AddWrite(void* self) {
  Of(self).want_write_ = true;
  Of(self).ArmWrite();
}
void Connection::DelWrite(void* self) { Of(self).want_write_ = false; }

void Connection::Cleanup(void* self) {
  Connection& c = Of(self);
  // hiredis closes the descriptor itself: give it back without closing; waits in progress end with an error.
  ++c.socket_epoch_;
  boost::system::error_code ignored;
  c.socket_.cancel(ignored);
  if (c.socket_.is_open()) c.socket_.release();
  c.want_read_ = c.want_write_ = false;
  c.read_armed_ = c.write_armed_ = false;
  c.context_ = nullptr;
}

// One readiness wait at a time per direction; hiredis reads or writes without blocking when it comes, and the wait
// is armed again for as long as hiredis wants it.
void Connection::ArmRead() {
  if (read_armed_ || !socket_.is_open()) return;
  read_armed_ = true;
  socket_.async_wait(asio::posix::descriptor_base::wait_read,
                     [self = shared_from_this(), epoch = socket_epoch_](boost::system::error_code ec) {
                       if (epoch != self->socket_epoch_) return;
                       self->read_armed_ = false;
                       if (ec || self->context_ == nullptr || !self->want_read_) return;
                       redisAsyncHandleRead(self->context_);
                       if (epoch == self->socket_epoch_ && self->want_read_) self->ArmRead();
                     });
}

void Connection::ArmWrite() {
  if (write_armed_ || !socket_.is_open()) return;
  write_armed_ = true;
  socket_.async_wait(asio::posix::descriptor_base::wait_write,
                     [self = shared_from_this(), epoch = socket_epoch_](boost::system::error_code ec) {
                       if (epoch != self->socket_epoch_) return;
                       self->write_armed_ = false;
                       if (ec || self->context_ == nullptr || !self->want_write_) return;
                       redisAsyncHandleWrite(self->context_);
                       if (epoch == self->socket_epoch_ && self->want_write_) self->ArmWrite();
                     });
}

}  // namespace parley::redis
