#include "redis/client.h"

#include "core/log.h"
#include "redis/connection.h"

#include <hiredis/hiredis.h>

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <charconv>
#include <map>
#include <mutex>
#include <set>

namespace parley::redis {
namespace {

namespace asio = boost::asio;

// Subscribed first on every subscriber connection and never left: hiredis 0.14 leaves its subscribed mode when the
// server counts no subscription, and then fails an assertion on a SUBSCRIBE confirmation still in flight.
constexpr std::string_view kAnchorChannel = "parley:subscriber";

// %XX escapes in the URL's user and password (a password may hold '@' or ':').
Result<std::string> PercentDecode(std::string_view text, std::string_view what) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out.push_back(text[i]);
      continue;
    }
    unsigned value = 0;
    if (i + 2 >= text.size()) {
      return Error::InvalidArgument("PARLEY_REDIS_URL: a bad %-escape in the " + std::string(what));
    }
    auto [end, ec] = std::from_chars(text.data() + i + 1, text.data() + i + 3, value, 16);
    if (ec != std::errc() || end != text.data() + i + 3) {
      return Error::InvalidArgument("PARLEY_REDIS_URL: a bad %-escape in the " + std::string(what));
    }
    out.push_back(static_cast<char>(value));
    i += 2;
  }
  return out;
}

Reply Convert(const redisReply& r) {
  Reply reply;
  switch (r.type) {
    case REDIS_REPLY_INTEGER:
      reply.type = Reply::Type::kInteger;
      reply.integer = r.integer;
      break;
    case REDIS_REPLY_STRING:
    case REDIS_REPLY_STATUS:
    case REDIS_REPLY_ERROR:
      reply.type = r.type == REDIS_REPLY_STRING   ? Reply::Type::kString
                   : r.type == REDIS_REPLY_STATUS ? Reply::Type::kStatus
                                                  : Reply::Type::kError;
      reply.text.assign(r.str, r.len);
      break;
    case REDIS_REPLY_ARRAY:
      reply.type = Reply::Type::kArray;
      reply.elements.reserve(r.elements);
      for (size_t i = 0; i < r.elements; ++i) reply.elements.push_back(Convert(*r.element[i]));
      break;
    default:
      reply.type = Reply::Type::kNil;
  }
  return reply;
}

// Runs a copy of `work` as `work(complete)` on `strand`; the awaiting coroutine resumes on its own executor with
// what `complete` is given (once). `work` by reference, as BlockingPool::Run takes it (core/blocking_pool.h).
template <class T, class Work>
asio::awaitable<T> OnStrand(Strand strand, const Work& work) {
  return asio::async_initiate<const asio::use_awaitable_t<>, void(T)>(
      [strand](auto handler, Work work) {
        auto shared = std::make_shared<decltype(handler)>(std::move(handler));
        std::function<void(T)> complete = [shared](T value) {
          auto executor = asio::get_associated_executor(*shared);
          asio::post(executor, [shared, value = std::move(value)]() mutable { std::move (*shared)(std::move(value)); });
        };
        asio::post(strand, [work = std::move(work), complete = std::move(complete)]() mutable { work(complete); });
      },
      asio::use_awaitable, work);
}

// A command in flight: answered, timed out or failed, whichever comes first, completes it.
struct Pending {
  Pending(Strand strand, std::function<void(Result<Reply>)> complete)
      : timer(std::move(strand)), complete(std::move(complete)) {}
  asio::steady_timer timer;
  std::function<void(Result<Reply>)> complete;
  bool done = false;

  void Finish(Result<Reply> result) {
    if (done) return;
    done = true;
    timer.cancel();
    complete(std::move(result));
  }
};

}  // namespace

std::string Endpoint::Redacted() const {
  return "redis://" + host + ":" + std::to_string(port) + (db != 0 ? "/" + std::to_string(db) : "");
}

Result<Endpoint> ParseUrl(std::string_view url) {
  constexpr std::string_view kScheme = "redis://";
  if (!url.starts_with(kScheme)) return Error::InvalidArgument("PARLEY_REDIS_URL must start with redis://");
  std::string_view rest = url.substr(kScheme.size());
  Endpoint endpoint;
  if (auto at = rest.rfind('@'); at != std::string_view::npos) {
    std::string_view credentials = rest.substr(0, at);
    rest = rest.substr(at + 1);
    std::string_view user;
    std::string_view password = credentials;
    if (auto colon = credentials.find(':'); colon != std::string_view::npos) {
      user = credentials.substr(0, colon);
      password = credentials.substr(colon + 1);
    }
    auto decoded_user = PercentDecode(user, "user");
    if (!decoded_user) return decoded_user.error();
    auto decoded_password = PercentDecode(password, "password");
    if (!decoded_password) return decoded_password.error();
    endpoint.user = std::move(*decoded_user);
    endpoint.password = std::move(*decoded_password);
  }
  std::string_view authority = rest;
  if (auto slash = rest.find('/'); slash != std::string_view::npos) {
    authority = rest.substr(0, slash);
    std::string_view db = rest.substr(slash + 1);
    if (!db.empty()) {
      auto [end, ec] = std::from_chars(db.data(), db.data() + db.size(), endpoint.db);
      if (ec != std::errc() || end != db.data() + db.size() || endpoint.db < 0) {
        return Error::InvalidArgument("PARLEY_REDIS_URL: the database after '/' must be a number");
      }
    }
  }
  std::string_view host = authority;
  if (authority.starts_with('[')) {  // [::1]:6379
    auto close = authority.find(']');
    if (close == std::string_view::npos) return Error::InvalidArgument("PARLEY_REDIS_URL: an unclosed '[' in the host");
    host = authority.substr(1, close - 1);
    authority = authority.substr(close + 1);
    if (!authority.empty() && !authority.starts_with(':')) {
      return Error::InvalidArgument("PARLEY_REDIS_URL: ':' expected after the host");
    }
  } else if (auto colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    authority = authority.substr(colon);
  } else {
    authority = {};
  }
  if (authority.starts_with(':')) {
    std::string_view port = authority.substr(1);
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), endpoint.port);
    if (ec != std::errc() || end != port.data() + port.size() || endpoint.port == 0) {
      return Error::InvalidArgument("PARLEY_REDIS_URL has an invalid port");
    }
  }
  if (host.empty()) return Error::InvalidArgument("PARLEY_REDIS_URL has no host");
  endpoint.host = std::string(host);
  return endpoint;
}

class Client::Impl : public std::enable_shared_from_this<Impl> {
 public:
  Impl(asio::any_io_executor executor, Endpoint endpoint, ClientOptions options)
      : strand_(asio::make_strand(std::move(executor))), endpoint_(std::move(endpoint)), options_(options) {
    state_.endpoint = endpoint_.Redacted();
  }

  void Start() {
    asio::post(strand_, [self = shared_from_this()] {
      if (self->started_ || self->stopped_) return;
      self->started_ = true;
      self->commands_ =
          std::make_shared<Connection>(self->strand_, self->endpoint_, self->options_, "commands",
                                       Connection::Events{[weak = std::weak_ptr<Impl>(self)] {
                                                            if (auto s = weak.lock()) s->SetState(true, {});
                                                          },
                                                          [weak = std::weak_ptr<Impl>(self)](const std::string& why) {
                                                            if (auto s = weak.lock()) s->SetState(false, why);
                                                          },
                                                          {}});
      self->commands_->Start();
      if (!self->channels_.empty()) self->StartSubscriber();
    });
  }

  asio::awaitable<void> Stop() {
    // Named before co_await: g++ 12 destroys a lambda's captures twice inside a co_await expression.
    auto stop = [self = shared_from_this()](const std::function<void(bool)>& complete) {
      self->StopNow();
      complete(true);
    };
    co_await OnStrand<bool>(strand_, stop);
  }

  // On the strand, or once no thread runs the executor. Does nothing the second time.
  void StopNow() {
    if (stopped_) return;
    stopped_ = true;
    if (commands_) commands_->Stop();
    if (subscriber_) subscriber_->Stop();
    SetState(false, "stopped");
  }

  asio::awaitable<Result<Reply>> Command(std::vector<std::string> args) {
    auto send = [self = shared_from_this(),
                 args = std::move(args)](const std::function<void(Result<Reply>)>& complete) {
      if (self->stopped_) return complete(Error{ErrorCode::kCancelled, "redis client stopped", {}});
      if (!self->commands_ || !self->commands_->ready()) {
        return complete(Error::Unavailable("redis is unreachable", self->state().last_error));
      }
      auto pending = std::make_shared<Pending>(self->strand_, complete);
      const bool sent = self->commands_->Send(args, [pending](redisReply* reply) {
        if (reply == nullptr) {
          pending->Finish(Error::Unavailable("redis is unreachable", "the connection was lost before the reply"));
        } else {
          pending->Finish(Convert(*reply));
        }
      });
      if (!sent) return pending->Finish(Error::Unavailable("redis is unreachable", "the command was not sent"));
      pending->timer.expires_after(self->options_.command_timeout);
      pending->timer.async_wait([self, pending](boost::system::error_code ec) {
        if (ec || pending->done) return;
        pending->Finish(Error::Timeout("redis did not answer in time"));
        // The connection's replies are now in doubt (a server gone without closing): start again.
        self->commands_->Drop("a command was not answered in time");
      });
    };
    return OnStrand<Result<Reply>>(strand_, send);
  }

  void AddMessageHandler(MessageHandler handler) { on_message_.push_back(std::move(handler)); }
  void AddResubscribedHandler(std::function<void()> handler) { on_resubscribed_.push_back(std::move(handler)); }

  void Subscribe(std::string channel) {
    asio::post(strand_, [self = shared_from_this(), channel = std::move(channel)] {
      if (++self->channels_[channel] != 1 || self->stopped_ || !self->started_) return;
      if (!self->subscriber_) {
        self->StartSubscriber();  // Subscribes to every channel once ready.
      } else if (!self->unsubscribing_.contains(channel)) {
        // Not ready yet: Resubscribe sends it. An UNSUBSCRIBE of this channel still unconfirmed would make hiredis
        // drop the callback this registers: its confirmation sends it (Deliver).
        self->subscriber_->SendSubscription({"SUBSCRIBE", channel});
      }
    });
  }

  void Unsubscribe(std::string channel) {
    asio::post(strand_, [self = shared_from_this(), channel = std::move(channel)] {
      auto it = self->channels_.find(channel);
      if (it == self->channels_.end() || --it->second > 0) return;
      self->channels_.erase(it);
      // Its UNSUBSCRIBE still unconfirmed, the channel was joined again and left before the SUBSCRIBE went out: the
      // server is leaving it already. A second UNSUBSCRIBE's confirmation would find no hiredis callback (the
      // first one's removes it) and, read on its own, never reach Deliver: the channel could never be joined again.
      if (self->unsubscribing_.contains(channel)) return;
      if (self->subscriber_ && self->subscriber_->SendSubscription({"UNSUBSCRIBE", channel})) {
        self->unsubscribing_.insert(channel);
      }
    });
  }

  ClientState state() const {
    std::lock_guard lock(state_mutex_);
    return state_;
  }

 private:
  void SetState(bool connected, const std::string& why) {
    std::lock_guard lock(state_mutex_);
    state_.connected = connected;
    if (!why.empty()) state_.last_error = why;
  }

  void StartSubscriber() {
    subscriber_ = std::make_shared<Connection>(strand_, endpoint_, options_, "subscriber",
                                               Connection::Events{[weak = weak_from_this()] {
                                                                    if (auto s = weak.lock()) s->Resubscribe();
                                                                  },
                                                                  [weak = weak_from_this()](const std::string&) {
                                                                    if (auto s = weak.lock())
                                                                      s->subscriber_down_ = true;
                                                                  },
                                                                  [weak = weak_from_this()](redisReply* reply) {
                                                                    if (auto s = weak.lock()) s->Deliver(*reply);
                                                                  }});
    subscriber_->Start();
  }

  // On the subscriber connection's (re)opening: every channel again, in one command.
  void Resubscribe() {
    unsubscribing_.clear();  // A new connection: nothing is pending on it.
    std::vector<std::string> args{"SUBSCRIBE", std::string(kAnchorChannel)};
    for (const auto& [channel, count] : channels_) args.push_back(channel);
    subscriber_->SendSubscription(args);
    if (subscriber_down_) {
      for (const auto& handler : on_resubscribed_) handler();
    }
    subscriber_down_ = false;
  }

  void Deliver(const redisReply& reply) {
    // ["message", channel, payload], or a confirmation: ["subscribe" | "unsubscribe", channel, count].
    if (reply.type != REDIS_REPLY_ARRAY || reply.elements != 3) return;
    const redisReply& kind_element = *reply.element[0];
    const redisReply& channel_element = *reply.element[1];
    if (kind_element.type != REDIS_REPLY_STRING || channel_element.type != REDIS_REPLY_STRING) return;
    const std::string_view kind(kind_element.str, kind_element.len);
    std::string channel(channel_element.str, channel_element.len);
    if (kind == "unsubscribe") {
      if (unsubscribing_.erase(channel) == 0) return;
      // Subscribed again while the UNSUBSCRIBE was in flight: now it can be sent.
      if (channels_.contains(channel)) subscriber_->SendSubscription({"SUBSCRIBE", channel});
      return;
    }
    const redisReply& payload = *reply.element[2];
    if (kind != "message" || payload.type != REDIS_REPLY_STRING) return;
    const std::string text(payload.str, payload.len);
    for (const auto& handler : on_message_) handler(channel, text);
  }

  Strand strand_;
  const Endpoint endpoint_;
  const ClientOptions options_;
  std::vector<MessageHandler> on_message_;
  std::vector<std::function<void()>> on_resubscribed_;
  // On the strand:
  std::shared_ptr<Connection> commands_;
  std::shared_ptr<Connection> subscriber_;  //!< Opened with the first channel.
  std::map<std::string, int> channels_;     //!< Subscribed channels and how many Subscribe calls hold each.
  std::set<std::string> unsubscribing_;     //!< Channels whose UNSUBSCRIBE is sent and not yet confirmed.
  bool started_ = false;
  bool stopped_ = false;
  // The subscriber connection was lost, or an attempt to open it failed, since it was last open: the channels were
  // wanted meanwhile and messages may have been missed. A process started while Redis was unreachable is in this case
  // too: what its caches took from the store meanwhile may have been invalidated by another process.
  bool subscriber_down_ = false;

  mutable std::mutex state_mutex_;
  ClientState state_;  // GUARDED_BY(state_mutex_)
};

Client::Client(asio::any_io_executor executor, Endpoint endpoint, ClientOptions options)
    : endpoint_(endpoint), impl_(std::make_shared<Impl>(std::move(executor), std::move(endpoint), options)) {}

// Not stopped (a forced shutdown stopped the I/O threads first): the connections are closed here, while their
// executor still exists, rather than by the destruction of the handlers it holds.
Client::~Client() { impl_->StopNow(); }

void Client::Start() { impl_->Start(); }
asio::awaitable<void> Client::Stop() { return impl_->Stop(); }
asio::awaitable<Result<Reply>> Client::Command(std::vector<std::string> args) {
  return impl_->Command(std::move(args));
}
void Client::AddMessageHandler(MessageHandler handler) { impl_->AddMessageHandler(std::move(handler)); }
void Client::AddResubscribedHandler(std::function<void()> handler) {
  impl_->AddResubscribedHandler(std::move(handler));
}
void Client::Subscribe(std::string channel) { impl_->Subscribe(std::move(channel)); }
void Client::Unsubscribe(std::string channel) { impl_->Unsubscribe(std::move(channel)); }
ClientState Client::state() const { return impl_->state(); }

}  // namespace parley::redis
