#pragma once
// A messaging platform for unit tests of the reply path (app::ReplyWorker): records every send and indicator call,
// and answers each from a script, in order, falling back to success. The scripted failures are the shapes the real
// Meta channels return (channels/meta/graph.cpp) once the HTTP client's own retries are spent: a network error
// (code 0, transient), a permanent 4xx (not transient), a 429 (transient: the client has already honoured its
// Retry-After header), and Telegram's flood control (a 429 whose body asks for a wait, in SendResult::retry_after_ms).
// A held call ("slow") stays in flight until ReleaseHeld(), or for good when the test drops it, as a crash would.
// Webhook verification and parsing are not faked: they fail the test.

#include "channels/channel.h"

#include <boost/asio/steady_timer.hpp>

#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace parley::fakes {

class FakeChannel final : public channels::Channel {
 public:
  enum class Outcome {
    kOk,
    kNetworkError,  //!< No answer after the client's retries: code 0, transient.
    kPermanent,     //!< A 4xx the platform will repeat (e.g. 131047, the window closed): not transient.
    kThrottled,     //!< A 429 after the client's retries (Retry-After honoured there): transient.
    kFloodControl,  //!< A 429 asking for kFloodControlWaitMs before the next attempt: transient.
  };
  static constexpr int64_t kFloodControlWaitMs = 60'000;
  enum class Kind { kIndicator, kText, kTemplate };

  // One call, as the platform would have seen it.
  struct Call {
    Kind kind = Kind::kText;
    std::string account_id;
    std::string access_token;
    std::string contact_id;
    std::string text;  //!< The text; the template's name; the message marked read for an indicator.
    std::string reply_to;
    channels::MessageTag tag = channels::MessageTag::kNone;
    Outcome outcome = Outcome::kOk;
    bool completed = false;  //!< False while held (or when the test dropped it held).
  };

  explicit FakeChannel(Platform platform) : platform_(platform) {}

  // The next `count` sends (text or template) answer `outcome`.
  void ScriptSends(Outcome outcome, int count = 1);
  // The next `count` indicators answer `outcome`.
  void ScriptIndicators(Outcome outcome, int count = 1);
  // From now on, sends stay in flight until ReleaseHeld() (a slow platform); `false` stops holding new ones.
  void HoldSends(bool hold);
  // Lets every held send complete with its scripted outcome.
  void ReleaseHeld();

  std::vector<Call> sends() const;       //!< Texts and templates, in call order.
  std::vector<Call> indicators() const;  //!< MarkReadAndTyping calls, in call order.
  int held() const;                      //!< Sends in flight now.

  Platform platform() const override { return platform_; }
  std::optional<std::string> VerifyHandshake(std::string_view mode, std::string_view verify_token,
                                             std::string_view challenge) const override;
  bool VerifySignature(std::string_view raw_body, std::string_view signature_header) const override;
  Result<WebhookEvents> Parse(std::string_view raw_body) const override;
  boost::asio::awaitable<channels::SendResult> MarkReadAndTyping(const channels::SendAccount& account,
                                                                 std::string_view contact_id,
                                                                 std::string_view last_message_id) override;
  boost::asio::awaitable<channels::SendResult> SendText(const channels::SendAccount& account,
                                                        std::string_view contact_id, std::string_view text,
                                                        std::string_view reply_to, channels::MessageTag tag) override;
  boost::asio::awaitable<channels::SendResult> SendTemplate(const channels::SendAccount& account,
                                                            std::string_view contact_id,
                                                            const TemplateMessage& message) override;
  // Accepts every account, with an empty profile.
  boost::asio::awaitable<Result<AccountProfile>> CheckAccount(std::string account_id,
                                                              std::string access_token) override;

 private:
  // Records `call` with its scripted outcome, waits while sends are held, then answers.
  boost::asio::awaitable<channels::SendResult> Send(Call call);
  channels::SendResult Answer(Outcome outcome);

  const Platform platform_;
  mutable std::mutex mutex_;
  std::deque<Outcome> send_script_;       // GUARDED_BY(mutex_)
  std::deque<Outcome> indicator_script_;  // GUARDED_BY(mutex_)
  bool hold_ = false;                     // GUARDED_BY(mutex_)
  // Held sends' timers; weak, so that a test dropping its io_context (a crash) drops them with their coroutines.
  std::vector<std::weak_ptr<boost::asio::steady_timer>> held_;  // GUARDED_BY(mutex_)
  std::vector<Call> sends_;                                     // GUARDED_BY(mutex_)
  std::vector<Call> indicators_;                                // GUARDED_BY(mutex_)
  int next_message_id_ = 1;                                     // GUARDED_BY(mutex_)
};

}  // namespace parley::fakes
