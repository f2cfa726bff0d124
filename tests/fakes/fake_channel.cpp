#include "fakes/fake_channel.h"

#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <gtest/gtest.h>

namespace parley::fakes {

void FakeChannel::ScriptSends(Outcome outcome, int count) {
  std::lock_guard lock(mutex_);
  for (int i = 0; i < count; ++i) send_script_.push_back(outcome);
}

void FakeChannel::ScriptIndicators(Outcome outcome, int count) {
  std::lock_guard lock(mutex_);
  for (int i = 0; i < count; ++i) indicator_script_.push_back(outcome);
}

void FakeChannel::HoldSends(bool hold) {
  std::lock_guard lock(mutex_);
  hold_ = hold;
}

void FakeChannel::ReleaseHeld() {
  std::lock_guard lock(mutex_);
  for (const auto& weak : held_) {
    if (auto timer = weak.lock()) {
      boost::asio::post(timer->get_executor(), [weak] {
        if (auto t = weak.lock()) t->cancel();
      });
    }
  }
  held_.clear();
}

std::vector<FakeChannel::Call> FakeChannel::sends() const {
  std::lock_guard lock(mutex_);
  return sends_;
}

std::vector<FakeChannel::Call> FakeChannel::indicators() const {
  std::lock_guard lock(mutex_);
  return indicators_;
}

int FakeChannel::held() const {
  std::lock_guard lock(mutex_);
  int held = 0;
  for (const auto& call : sends_) held += call.completed ? 0 : 1;
  return held;
}

std::optional<std::string> FakeChannel::VerifyHandshake(std::string_view, std::string_view, std::string_view) const {
  ADD_FAILURE() << "FakeChannel::VerifyHandshake is not faked";
  return std::nullopt;
}

bool FakeChannel::VerifySignature(std::string_view, std::string_view) const {
  ADD_FAILURE() << "FakeChannel::VerifySignature is not faked";
  return false;
}

Result<WebhookEvents> FakeChannel::Parse(std::string_view) const {
  ADD_FAILURE() << "FakeChannel::Parse is not faked";
  return Error::Internal("FakeChannel::Parse is not faked");
}

channels::SendResult FakeChannel::Answer(Outcome outcome) {
  switch (outcome) {
    case Outcome::kOk: {
      std::lock_guard lock(mutex_);
      return {"wamid.out-" + std::to_string(next_message_id_++), std::nullopt, false};
    }
    case Outcome::kNetworkError:
      return {{}, MessageError{0, "network error", "connection refused"}, true};
    case Outcome::kPermanent:
      return {{}, MessageError{131047, "Re-engagement message", "More than 24 hours have passed"}, false};
    case Outcome::kThrottled:
      return {{}, MessageError{130429, "Rate limit hit", "HTTP 429"}, true};
    case Outcome::kFloodControl:
      return {{}, MessageError{429, "Too Many Requests: retry after 60", {}}, true, kFloodControlWaitMs};
  }
  return {};
}

boost::asio::awaitable<channels::SendResult> FakeChannel::MarkReadAndTyping(const channels::SendAccount& account,
                                                                            std::string_view contact_id,
                                                                            std::string_view last_message_id) {
  Outcome outcome = Outcome::kOk;
  {
    std::lock_guard lock(mutex_);
    if (!indicator_script_.empty()) {
      outcome = indicator_script_.front();
      indicator_script_.pop_front();
    }
    indicators_.push_back({Kind::kIndicator,
                           account.account_id,
                           account.access_token,
                           std::string(contact_id),
                           std::string(last_message_id),
                           {},
                           channels::MessageTag::kNone,
                           outcome,
                           true});
  }
  if (outcome == Outcome::kOk) co_return channels::SendResult{};  // Indicators have no message id.
  co_return Answer(outcome);
}

boost::asio::awaitable<channels::SendResult> FakeChannel::SendText(const channels::SendAccount& account,
                                                                   std::string_view contact_id, std::string_view text,
                                                                   std::string_view reply_to,
                                                                   channels::MessageTag tag) {
  Call call{Kind::kText,
            account.account_id,
            account.access_token,
            std::string(contact_id),
            std::string(text),
            std::string(reply_to),
            tag};
  co_return co_await Send(std::move(call));
}

boost::asio::awaitable<channels::SendResult> FakeChannel::SendTemplate(const channels::SendAccount& account,
                                                                       std::string_view contact_id,
                                                                       const TemplateMessage& message) {
  Call call{Kind::kTemplate, account.account_id, account.access_token, std::string(contact_id), message.name};
  co_return co_await Send(std::move(call));
}

boost::asio::awaitable<Result<AccountProfile>> FakeChannel::CheckAccount(std::string, std::string) {
  co_return AccountProfile{};
}

boost::asio::awaitable<channels::SendResult> FakeChannel::Send(Call call) {
  auto executor = co_await boost::asio::this_coro::executor;
  std::shared_ptr<boost::asio::steady_timer> timer;
  size_t index = 0;
  {
    std::lock_guard lock(mutex_);
    if (!send_script_.empty()) {
      call.outcome = send_script_.front();
      send_script_.pop_front();
    }
    call.completed = !hold_;
    index = sends_.size();
    sends_.push_back(call);
    if (hold_) {
      timer = std::make_shared<boost::asio::steady_timer>(executor, boost::asio::steady_timer::time_point::max());
      held_.push_back(timer);
    }
  }
  if (timer) {
    boost::system::error_code released;
    co_await timer->async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, released));
    std::lock_guard lock(mutex_);
    sends_[index].completed = true;
  }
  co_return Answer(call.outcome);
}

}  // namespace parley::fakes
