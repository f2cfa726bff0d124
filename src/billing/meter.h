#pragma once
// The gate in front of the AI: before a burst is answered, the tenant's plan must cover its media, the contact
// must be within its reply rate, and one more reply must fit the monthly quotas — reserved atomically in the
// store, so that concurrent bursts never answer more than the quota. After the reply, its usage is recorded with
// it (Reply::usage, committed by Store::CommitReply), and the reservation goes back whatever happens.

#include "billing/billing.h"
#include "core/blocking_pool.h"
#include "core/config.h"
#include "core/error.h"
#include "core/rate_limiter.h"
#include "store/billing_store.h"
#include "store/store.h"

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace parley::billing {

// The tenant's plan: its own, or the configured default when it has none (or its plan left the catalog).
// Blocking. kNotFound for an unknown tenant; kInternal when the default plan is not in the catalog either.
Result<store::Plan> PlanOf(store::BillingStore& billing, int64_t tenant_id, const std::string& default_plan);

struct Admission {
  enum class Verdict {
    kAnswer,       //!< Let the AI answer `covered_messages`; `reservation_id` holds one reply of quota.
    kNotice,       //!< Every message is media the plan does not cover: send `notices`, no AI.
    kRateLimited,  //!< The contact had too many AI replies lately.
    kOverQuota,    //!< The month's quota is used up (`quota` says which).
  };
  Verdict verdict = Verdict::kAnswer;
  store::Plan plan;
  std::string reservation_id;
  std::vector<std::string> notices;         //!< One per uncovered feature met in the burst, in order.
  std::vector<int64_t> uncovered_messages;  //!< Ids of the messages the AI must not be given.
  bool uncovered_by_plan = false;  //!< Some of them are media the plan leaves out (else only unheard voice notes).
  QuotaVerdict quota = QuotaVerdict::kAllowed;
};
std::string_view ToString(Admission::Verdict verdict);

// A voice or audio message the AI cannot read: no transcript of it was made (no transcriber configured, the
// transcription failed, the media could not be fetched in time) or nothing was said in it. It is treated as media the
// plan does not cover: the audio notice asks the customer to write instead.
bool Unheard(const store::StoredMessage& message);

// The texts sent for media the plan does not cover, in the customer's language: the caller picks them
// (agent::BotText with kImageNotice and kAudioNotice), the meter decides which are due.
struct MediaNotices {
  std::string image;  //!< For images and stickers.
  std::string audio;  //!< For voice and audio messages.
};

class Meter {
 public:
  // `contacts` holds one token bucket per contact; the store is read and written on `pool`. References must outlive
  // the meter.
  Meter(const Config& config, store::Store& store, BlockingPool& pool, RateLimiter& contacts)
      : config_(config), store_(store), pool_(pool), contacts_(contacts), rates_(RatesFrom(config)) {}

  // Decides how `burst` may be answered at `now_ms`, reserving quota for an AI answer; Admission::notices are taken
  // from `notices`. The plan is read and the quota reserved on the pool, the contact's rate taken in between (a
  // shared limiter's round trip): the awaiting coroutine's executor never blocks. `burst` and `notices` must stay
  // alive until it completes.
  boost::asio::awaitable<Result<Admission>> Admit(const store::Claim& burst, int64_t now_ms,
                                                  const MediaNotices& notices);
  // The same with the operator's notices (PARLEY_IMAGE_NOTICE, PARLEY_AUDIO_NOTICE), for a caller that does not know
  // the customer's language.
  boost::asio::awaitable<Result<Admission>> Admit(const store::Claim& burst, int64_t now_ms);
  // Gives back an admission's reservation when no reply will be committed (the responder failed). Blocking.
  Result<void> Release(const Admission& admission);
  // The usage `reply` to `burst` records: one AI reply and its credits when the AI answered, and the messages
  // in and out in any case.
  store::Usage UsageFor(const store::Claim& burst, const store::Reply& reply, bool ai_answered, int64_t now_ms) const;

 private:
  // The plan and the media it does not cover: kNotice when every message is such media, else kAnswer (not yet
  // reserved). Blocking.
  Result<Admission> Classify(const store::Claim& burst, const MediaNotices& notices);
  // Reserves one reply of quota for `admission` (kAnswer), or makes it kOverQuota. Blocking.
  Result<void> Reserve(Admission& admission, int64_t tenant_id, int64_t now_ms);

  const Config& config_;
  store::Store& store_;
  BlockingPool& pool_;
  RateLimiter& contacts_;
  const CreditRates rates_;
};

}  // namespace parley::billing
