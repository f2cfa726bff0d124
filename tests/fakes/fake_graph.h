#pragma once
// A local stand-in for Meta's Graph API (v23.0 shapes): records every request and answers like the real one.
// WhatsApp: POST /{phone_number_id}/messages → {"messaging_product","contacts","messages":[{"id"}]} for sends and
// {"success":true} for read receipts. Instagram: POST /{account_id}/messages → {"recipient_id","message_id"} for
// sends and {"recipient_id"} for sender actions. Runs its own thread; safe to query from the test thread.

#include <boost/json/value.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace parley::testing {

struct RecordedRequest {
  std::string method;
  std::string path;
  std::string authorization;
  boost::json::value body;
  std::chrono::steady_clock::time_point received_at;
};

class FakeGraph {
 public:
  FakeGraph();
  ~FakeGraph();

  std::string base_url() const;  //!< http://127.0.0.1:PORT
  std::vector<RecordedRequest> requests() const;
  // Requests that send a message (not read receipts, typing or sender actions).
  std::vector<RecordedRequest> sends() const;
  // Waits up to `timeout` until `sends().size() >= n`.
  bool WaitForSends(size_t n, std::chrono::milliseconds timeout) const;

  // Indicator calls (read receipts, typing, sender actions) take this long to answer.
  void set_indicator_delay(std::chrono::milliseconds delay) { indicator_delay_ms_ = delay.count(); }
  // The next `n` send calls answer `status` with a Graph error body.
  void FailNextSends(int n, int status) {
    fail_sends_ = n;
    fail_status_ = status;
  }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::atomic<int64_t> indicator_delay_ms_{0};
  std::atomic<int> fail_sends_{0};
  std::atomic<int> fail_status_{500};
};

bool IsSend(const RecordedRequest& r);

}  // namespace parley::testing
