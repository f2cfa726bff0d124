#include "app/profile_lookup.h"

#include "core/log.h"

#include <boost/asio/co_spawn.hpp>

#include <exception>
#include <utility>

namespace parley::app {

ProfileLookup::ProfileLookup(boost::asio::any_io_executor executor, store::Store& store, BlockingPool& pool,
                             Clock& clock, int64_t retry_after_ms)
    : executor_(std::move(executor)), store_(store), pool_(pool), clock_(clock), retry_after_ms_(retry_after_ms) {}

bool ProfileLookup::Claim(int64_t channel_id, const std::string& contact_id) {
  const int64_t now_ms = clock_.NowMs();
  std::lock_guard lock(mutex_);
  if (asked_at_ms_.size() >= kMaxRemembered) {
    std::erase_if(asked_at_ms_, [&](const auto& entry) { return entry.second + retry_after_ms_ <= now_ms; });
    // Every one is recent (a flood of new contacts): forgetting them costs at most one more look-up each.
    if (asked_at_ms_.size() >= kMaxRemembered) asked_at_ms_.clear();
  }
  auto [it, inserted] = asked_at_ms_.try_emplace({channel_id, contact_id}, now_ms);
  if (!inserted && it->second + retry_after_ms_ > now_ms) return false;
  it->second = now_ms;
  return true;
}

void ProfileLookup::Start(channels::Channel& channel, const channels::SendAccount& account, int64_t channel_id,
                          const std::string& contact_id) {
  if (!Claim(channel_id, contact_id)) return;
  ++in_flight_;  // Counted from now, so that a drain at shutdown waits for it.
  boost::asio::co_spawn(executor_, LookUp(&channel, account, channel_id, contact_id), [this](std::exception_ptr e) {
    --in_flight_;
    if (!e) return;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      log::Error("coroutine_failed", {{"task", "profile_lookup"}, {"error", ex.what()}});
    } catch (...) {
      log::Error("coroutine_failed", {{"task", "profile_lookup"}, {"error", "unknown exception"}});
    }
  });
}

boost::asio::awaitable<void> ProfileLookup::LookUp(channels::Channel* channel, channels::SendAccount account,
                                                   int64_t channel_id, std::string contact_id) {
  const std::string platform(ToString(channel->platform()));
  auto profile = co_await channel->LookUpProfile(account, contact_id);
  if (!profile) {
    // Platforms' messages and details never hold the token (Channel::LookUpProfile).
    log::Warn("profile_lookup_failed", {{"platform", platform},
                                        {"channel_id", channel_id},
                                        {"error", profile.error().message},
                                        {"detail", profile.error().detail}});
    co_return;
  }
  if (profile->name.empty()) co_return;
  auto save = [this, channel_id, &contact_id, &profile] {
    // The e-mail as an empty string, which keeps the stored one (a null view would bind SQL NULL).
    return store_.SaveContactProfile(channel_id, contact_id, profile->name, "");
  };
  auto saved = co_await pool_.Run(save);
  if (!saved) {
    log::Error("profile_save_failed", {{"channel_id", channel_id}, {"error", saved.error().detail}});
    co_return;
  }
  log::Info("contact_named", {{"platform", platform}, {"channel_id", channel_id}});
}

}  // namespace parley::app
