#pragma once
// A Responder (the agent's seat) for unit tests of the reply path (app::ReplyWorker). It records every burst it is
// asked to answer and answers from a script, in order; with nothing scripted it answers each burst with one text,
// "Re: " and the burst's texts joined by " + ", so a test can see which messages a reply covered. A held answer
// (Hold) waits, like a slow model call, until the test calls Release(); a test may also drop it held.

#include "agent/responder.h"

#include <boost/asio/steady_timer.hpp>

#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

namespace parley::fakes {

class FakeResponder final : public agent::Responder {
 public:
  // The next answer is `reply`, exactly.
  void Script(store::Reply reply);
  // The next answer escalates to a person with `reason`, sending `text` first unless it is empty.
  void ScriptEscalation(Reason reason, const std::string& text = {});
  // The next answer is an error (counted as a failed conversation and retried by the worker).
  void ScriptFailure(Error error);
  // The next `count` calls wait until Release() before answering.
  void Hold(int count = 1);
  // Lets every waiting call answer.
  void Release();

  std::vector<store::Claim> batches() const;  //!< Every burst asked, in call order.
  int waiting() const;                        //!< Calls held now.

  boost::asio::awaitable<Result<store::Reply>> Respond(const store::Claim& batch) override;

 private:
  mutable std::mutex mutex_;
  std::deque<Result<store::Reply>> script_;  // GUARDED_BY(mutex_)
  int hold_ = 0;                             // GUARDED_BY(mutex_)
  // Held calls' timers; weak, so that a test dropping its io_context drops them with their coroutines.
  std::vector<std::weak_ptr<boost::asio::steady_timer>> held_;  // GUARDED_BY(mutex_)
  int waiting_ = 0;                                             // GUARDED_BY(mutex_)
  std::vector<store::Claim> batches_;                           // GUARDED_BY(mutex_)
};

}  // namespace parley::fakes
