#pragma once
// Every HTTP route of Parley, registered in one place. `parley serve` registers them to serve requests and
// `parley openapi` to print the API reference, so the document it prints is the one GET /api/openapi.json answers.

#include "agent/service.h"
#include "api/access_api.h"
#include "api/analytics_api.h"
#include "api/api.h"
#include "api/auth.h"
#include "api/billing_api.h"
#include "api/channels_api.h"
#include "api/comments_api.h"
#include "api/contacts_api.h"
#include "api/conversations_api.h"
#include "api/events_api.h"
#include "api/knowledge_api.h"
#include "api/media_api.h"
#include "api/route_table.h"
#include "api/team_api.h"
#include "api/templates_api.h"
#include "api/tenant_api.h"
#include "api/webhooks_api.h"
#include "billing/stripe.h"
#include "channels/channel.h"
#include "core/blocking_pool.h"
#include "core/bounded_pool.h"
#include "core/config.h"
#include "core/crypto.h"
#include "core/rate_limiter.h"
#include "events/event_bus.h"
#include "http/client.h"
#include "queue/batcher.h"
#include "store/store.h"

#include <cstdint>
#include <functional>
#include <string>

namespace parley::app {

// What the API's handlers work with. Every reference must outlive the ApiRoutes built from it.
struct ApiServices {
  const Config& config;
  store::Store& store;
  const crypto::SecretBox& box;
  BlockingPool& pool;
  BoundedPool& hashing;  //!< Password hashing (logins, new users).
  api::Authenticator& authenticator;
  queue::Batcher& batcher;
  const channels::ChannelSet& channels;
  http::Client& client;
  media::MediaStore& media_files;        //!< Customers' media, served through signed links.
  const media::UrlSigner& media_signer;  //!< Signs and checks those links.
  agent::AgentService& agent_service;
  billing::StripeMapping stripe;
  api::RuntimeStatus status;
  std::function<void(int64_t conversation_id)> send_outbox;  //!< Sends a person's reply that is committed.
  events::EventBus& event_bus;                               //!< What GET /api/events waits on.
  api::EventsOptions events = {};
  mail::Mailer* mailer = nullptr;                          //!< E-mail (possibly disabled); must be set.
  std::function<void()> wake_webhooks = {};                //!< Tells the webhook dispatcher a delivery was made.
  RateLimiterFactory rate_limiters = LocalRateLimiters();  //!< Makes the logins' and public routes' buckets.
  std::function<void()> wake_media = {};  //!< Tells this process's media fetcher a customer's upload was stored.
};

// The API's handler objects; Register adds all their routes, and the API reference, to a table.
class ApiRoutes {
 public:
  explicit ApiRoutes(ApiServices services);

  void Register(api::RouteTable& routes);
  // The probes alone (liveness, readiness, metrics), for a process that serves no API (PARLEY_ROLE=worker).
  void RegisterProbes(api::RouteTable& routes);

 private:
  api::Api api_;
  api::AccessApi access_;
  api::TemplatesApi templates_;  // Before conversations_, which sends templates through it.
  api::ConversationsApi conversations_;
  api::CommentsApi comments_;
  api::ContactsApi contacts_;
  api::KnowledgeApi knowledge_;
  api::BillingApi billing_;
  api::ChannelsApi channels_;
  api::EventsApi events_;
  api::TenantApi tenant_;
  api::AnalyticsApi analytics_;
  api::TeamApi team_;
  api::WebhooksApi webhooks_;
  api::MediaApi media_;
};

// `parley openapi`: the API reference as GET /api/openapi.json answers it, without serving. The handlers are built
// on a scratch store in a temporary directory, removed before returning; nothing of `config`'s data is touched.
Result<std::string> RenderOpenApi(const Config& config);

}  // namespace parley::app
