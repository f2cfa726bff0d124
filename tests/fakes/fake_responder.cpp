#include "fakes/fake_responder.h"

#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace parley::fakes {

void FakeResponder::Script(store::Reply reply) {
  std::lock_guard lock(mutex_);
  script_.emplace_back(std::move(reply));
}

void FakeResponder::ScriptEscalation(Reason reason, const std::string& text) {
  store::Reply reply;
  reply.decision = Decision::kEscalate;
  reply.reason = reason;
  reply.hand_off = true;
  if (!text.empty()) reply.messages.push_back({MessageType::kText, text, {}});
  Script(std::move(reply));
}

void FakeResponder::ScriptFailure(Error error) {
  std::lock_guard lock(mutex_);
  script_.emplace_back(std::move(error));
}

void FakeResponder::Hold(int count) {
  std::lock_guard lock(mutex_);
  hold_ += count;
}

void FakeResponder::Release() {
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

std::vector<store::Claim> FakeResponder::batches() const {
  std::lock_guard lock(mutex_);
  return batches_;
}

int FakeResponder::waiting() const {
  std::lock_guard lock(mutex_);
  return waiting_;
}

boost::asio::awaitable<Result<store::Reply>> FakeResponder::Respond(const store::Claim& batch) {
  auto executor = co_await boost::asio::this_coro::executor;
  std::shared_ptr<boost::asio::steady_timer> timer;
  {
    std::lock_guard lock(mutex_);
    batches_.push_back(batch);
    if (hold_ > 0) {
      --hold_;
      ++waiting_;
      timer = std::make_shared<boost::asio::steady_timer>(executor, boost::asio::steady_timer::time_point::max());
      held_.push_back(timer);
    }
  }
  if (timer) {
    boost::system::error_code released;
    co_await timer->async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, released));
    std::lock_guard lock(mutex_);
    --waiting_;
  }
  {
    std::lock_guard lock(mutex_);
    if (!script_.empty()) {
      Result<store::Reply> next = std::move(script_.front());
      script_.pop_front();
      co_return next;
    }
  }
  std::string text = "Re: ";
  for (size_t i = 0; i < batch.messages.size(); ++i) {
    if (i > 0) text += " + ";
    text += batch.messages[i].text.value_or("");
  }
  store::Reply reply;
  reply.decision = Decision::kAutoReply;
  reply.reason = Reason::kAnswered;
  reply.messages.push_back({MessageType::kText, std::move(text), {}});
  co_return reply;
}

}  // namespace parley::fakes
