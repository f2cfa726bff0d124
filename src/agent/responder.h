#pragma once
// What answers a batch of customer messages. The reply worker calls a Responder once per claimed burst; the
// built-in AutoReplyResponder sends the business's away message, and the AI agent (issue #3) plugs in here.

#include "core/error.h"
#include "store/store.h"

#include <boost/asio/awaitable.hpp>

#include <optional>
#include <string>

namespace parley::agent {

class Responder {
 public:
  virtual ~Responder() = default;

  // Produces the reply to `batch.messages` (oldest first): messages to send in order (none to stay silent),
  // with the decision and trace to keep and whether a person takes over. Runs on the I/O executor and may
  // suspend (a model call); it must not block. It can be abandoned when the processing timeout passes: the caller
  // then ignores its result. An error is counted as a failed conversation and retried later.
  virtual boost::asio::awaitable<Result<store::Reply>> Respond(const store::Claim& batch) = 0;
};

// Sends `text` once per burst: the away message businesses use while nobody can answer.
class AutoReplyResponder final : public Responder {
 public:
  explicit AutoReplyResponder(std::string text) : text_(std::move(text)) {}
  boost::asio::awaitable<Result<store::Reply>> Respond(const store::Claim& batch) override;

 private:
  std::string text_;
};

}  // namespace parley::agent
