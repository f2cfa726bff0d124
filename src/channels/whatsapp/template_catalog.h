#pragma once
// The message templates of WhatsApp Business Accounts, fetched from the Graph API through the one HTTP client
// (GET {graph_base_url}/{waba_id}/message_templates, every page, the channel's token in the Authorization header)
// and kept for a few minutes per channel, so that opening the composer or sending a template does not call Meta
// each time. A template approved in WhatsApp Manager shows up here within that time.

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "channels/whatsapp/templates.h"
#include "core/error.h"
#include "http/client.h"

namespace parley::channels::whatsapp {

class TemplateCatalog {
 public:
  static constexpr std::chrono::minutes kDefaultTtl{5};

  // `client` must outlive the catalog. `graph_base_url` is the operator's Graph API base
  // (https://graph.facebook.com/v23.0); the paging links Meta returns are not followed, only their cursors, so
  // every request goes to that base.
  TemplateCatalog(http::Client& client, std::string graph_base_url,
                  std::chrono::steady_clock::duration ttl = kDefaultTtl)
      : client_(client), base_url_(std::move(graph_base_url)), ttl_(ttl) {}

  // Every template of `waba_id` whatever its status, as fetched for `channel_id` less than the TTL ago with the
  // same WABA id and token, or fetched now. Completes with kInvalidArgument carrying Meta's message when WhatsApp
  // refuses (a token it does not accept, a WABA id it does not know or the token cannot reach), kUnavailable when
  // it cannot be reached or fails. The token appears in no error. Thread-safe.
  boost::asio::awaitable<Result<std::vector<MessageTemplate>>> List(int64_t channel_id, std::string waba_id,
                                                                    std::string access_token);

 private:
  struct Entry {
    std::string waba_id;
    std::string access_token;
    std::chrono::steady_clock::time_point fetched_at;
    std::vector<MessageTemplate> templates;
  };

  boost::asio::awaitable<Result<std::vector<MessageTemplate>>> Fetch(const std::string& waba_id,
                                                                     const std::string& access_token);

  http::Client& client_;
  const std::string base_url_;
  const std::chrono::steady_clock::duration ttl_;
  std::mutex mutex_;
  std::map<int64_t, Entry> cache_;  // GUARDED_BY(mutex_)
};

}  // namespace parley::channels::whatsapp
