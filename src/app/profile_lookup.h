#pragma once
// Names the customers whose webhooks carry no name (Messenger's and Instagram's): the first time the bot answers such
// a contact, the platform is asked for the profile (Channel::LookUpProfile) in the background, and the name it gives
// is stored (Store::SaveContactProfile), so that the inbox, the contacts API and later answers show it. The reply never
// waits for it, and a refusal (no permission, the customer blocked the account, an outage) is logged and only tried
// again after `retry_after_ms`: a contact Meta will not name is not asked about at every message.

#include "channels/channel.h"
#include "core/blocking_pool.h"
#include "core/clock.h"
#include "store/store.h"

#include <boost/asio/any_io_executor.hpp>

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>

namespace parley::app {

class ProfileLookup {
 public:
  //! How long a contact asked about is not asked about again: a day.
  static constexpr int64_t kDefaultRetryAfterMs = 24 * 60 * 60 * 1000;

  // Every reference must outlive the look-ups this starts (see in_flight()).
  ProfileLookup(boost::asio::any_io_executor executor, store::Store& store, BlockingPool& pool, Clock& clock,
                int64_t retry_after_ms = kDefaultRetryAfterMs);

  // Starts looking up the contact `contact_id` of the channel `channel_id` through `channel` with `account`, unless
  // it was asked about within retry_after_ms (by this process). Never blocks; `channel` must outlive the look-up.
  void Start(channels::Channel& channel, const channels::SendAccount& account, int64_t channel_id,
             const std::string& contact_id);

  // Look-ups still running: a shutdown waits for none to be left.
  int64_t in_flight() const { return in_flight_.load(); }

 private:
  boost::asio::awaitable<void> LookUp(channels::Channel* channel, channels::SendAccount account, int64_t channel_id,
                                      std::string contact_id);
  // True when the contact may be asked about now; marks it asked. Forgets attempts older than retry_after_ms once
  // kMaxRemembered are kept, so the map stays bounded.
  bool Claim(int64_t channel_id, const std::string& contact_id);

  static constexpr size_t kMaxRemembered = 10000;

  boost::asio::any_io_executor executor_;
  store::Store& store_;
  BlockingPool& pool_;
  Clock& clock_;
  const int64_t retry_after_ms_;
  std::atomic<int64_t> in_flight_{0};
  std::mutex mutex_;
  std::map<std::pair<int64_t, std::string>, int64_t> asked_at_ms_;  // GUARDED_BY(mutex_)
};

}  // namespace parley::app
