#pragma once
// A server-sent events client for the tests and benchmarks of GET /api/events: one connection over loopback read by a
// thread of its own, which records each event (and keepalive comment) with the time it arrived.

#include <boost/json/object.hpp>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace parley::testing {

struct SseEvent {
  std::string id;       //!< The `id:` field; empty for none.
  std::string data;     //!< The `data:` field; empty for a comment or a retry line.
  std::string comment;  //!< A comment line's text (": keepalive").
  std::string retry;    //!< The `retry:` field.
  std::chrono::steady_clock::time_point received;
};

class SseClient {
 public:
  // Connects to `url` ("http://127.0.0.1:<port>/path?query"), sends GET with `headers` and waits for the answer's
  // head; status() is 0 when that failed.
  SseClient(const std::string& url, const std::vector<std::pair<std::string, std::string>>& headers);
  // Close()s.
  ~SseClient();

  int status() const { return status_; }
  const std::map<std::string, std::string>& headers() const { return headers_; }  //!< Lower-case names.
  std::string body() const;                                                       //!< What a non-stream answer carried.

  // Waits until `count` events with data have arrived (or `timeout` passed) and returns every one so far.
  std::vector<SseEvent> WaitForData(size_t count, std::chrono::milliseconds timeout);
  // Waits until a frame matching `pred` arrives (true) or `timeout` passes (false).
  bool WaitUntil(const std::function<bool(const std::vector<SseEvent>&)>& pred, std::chrono::milliseconds timeout);
  // The first event whose data, a JSON object, `match`es, once it arrived; an empty object when none did within
  // `timeout`.
  boost::json::object WaitForObject(const std::function<bool(const boost::json::object&)>& match,
                                    std::chrono::milliseconds timeout);
  std::vector<SseEvent> Events() const;
  // True once the server ended the stream (last chunk or closed connection).
  bool ended() const;
  // Drops the connection, as a client going away does.
  void Close();

 private:
  void ReadLoop();
  void Parse(std::string_view chunk);

  int fd_ = -1;
  int status_ = 0;
  std::map<std::string, std::string> headers_;
  std::string pending_;  // Bytes before the next blank line. Used by the reader thread only.
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<SseEvent> events_;  // GUARDED_BY(mutex_)
  std::string body_;              // GUARDED_BY(mutex_)
  bool ended_ = false;            // GUARDED_BY(mutex_)
  std::thread reader_;
};

}  // namespace parley::testing
