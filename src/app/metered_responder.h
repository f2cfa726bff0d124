#pragma once
// The AI agent behind the billing gate (billing/meter.h). For each claimed burst:
//   media the plan does not cover,    → the configured notice instead of an answer (the rest is answered); a
//   voice note with no transcript       voice note without a transcript gets the audio notice too (billing::Unheard)
//   the contact over its reply rate   → handed to a person silently (reason "rate_limited"): a contact writing
//                                       that fast is usually another bot or an abuse, and answering it — even
//                                       with a notice — feeds the loop; people see the conversation in the inbox;
//   the month's quota used up         → handed to a person with the tenant's hand-off message (reason "quota"),
//                                       without calling the model;
//   otherwise                         → the agent answers, and the reply carries its usage and reservation, which
//                                       the store settles in the same transaction as the reply.

#include "agent/agent_responder.h"
#include "agent/service.h"
#include "billing/meter.h"
#include "core/blocking_pool.h"
#include "core/config.h"

namespace parley::app {

class MeteredResponder final : public agent::Responder {
 public:
  // References must outlive this.
  MeteredResponder(const Config& config, billing::Meter& meter, agent::AgentResponder& agent,
                   agent::AgentService& service, BlockingPool& pool)
      : config_(config), meter_(meter), agent_(agent), service_(service), pool_(pool) {}

  boost::asio::awaitable<Result<store::Reply>> Respond(const store::Claim& batch) override;

 private:
  const Config& config_;
  billing::Meter& meter_;
  agent::AgentResponder& agent_;
  agent::AgentService& service_;
  BlockingPool& pool_;
};

}  // namespace parley::app
