#include "app/routes.h"

#include "api/openapi.h"
#include "app/setup.h"
#include "channels/registry.h"
#include "core/json.h"
#include "core/rate_limiter.h"
#include "http/http.h"

#include <boost/asio/io_context.hpp>

#include <stdlib.h>
#include <filesystem>

namespace parley::app {

ApiRoutes::ApiRoutes(ApiServices s)
    : api_(s.config, s.store, s.pool, s.batcher, s.channels, std::move(s.status),
           {s.box, s.event_bus, s.rate_limiters, s.events.keepalive, s.media_signer, s.media_files, s.wake_media}),
      access_(s.config, s.store, s.pool, s.hashing, s.authenticator, s.rate_limiters),
      templates_(s.config, s.store, s.pool, s.client, s.send_outbox),
      conversations_(s.config, s.store, s.pool, std::move(s.send_outbox), templates_, s.media_files, s.media_signer),
      comments_(s.store, s.pool, s.channels),
      contacts_(s.store, s.pool),
      knowledge_(s.config, s.store, s.pool, s.client, s.agent_service),
      billing_(s.config, s.store, s.pool, s.client, std::move(s.stripe)),
      channels_(s.config, s.store, s.pool, s.box, s.client, s.channels),
      events_(s.store, s.pool, s.event_bus, s.events, s.media_signer, s.config.public_url),
      tenant_(s.store, s.pool),
      analytics_(s.store, s.pool),
      team_(s.config, s.store, s.pool, s.hashing, s.authenticator, *s.mailer, s.rate_limiters),
      webhooks_(s.store, s.pool, s.box, s.client, std::move(s.wake_webhooks),
                s.config.webhook_retry_hours * 3600 * 1000),
      media_(s.store, s.pool, s.media_files, s.media_signer, RealClock()) {}

void ApiRoutes::Register(api::RouteTable& routes) {
  api_.RegisterRoutes(routes);
  access_.RegisterRoutes(routes);
  conversations_.RegisterRoutes(routes);
  comments_.RegisterRoutes(routes);
  contacts_.RegisterRoutes(routes);
  knowledge_.RegisterRoutes(routes);
  billing_.RegisterRoutes(routes);
  channels_.RegisterRoutes(routes);
  templates_.RegisterRoutes(routes);
  events_.RegisterRoutes(routes);
  tenant_.RegisterRoutes(routes);
  analytics_.RegisterRoutes(routes);
  team_.RegisterRoutes(routes);
  webhooks_.RegisterRoutes(routes);
  media_.RegisterRoutes(routes);
  api::RegisterOpenApiRoute(routes);
}

void ApiRoutes::RegisterProbes(api::RouteTable& routes) { api_.RegisterProbes(routes); }

namespace {

// A directory that is removed with everything in it when this goes out of scope.
class ScratchDirectory {
 public:
  ScratchDirectory() {
    std::string pattern = (std::filesystem::temp_directory_path() / "parley-openapi-XXXXXX").string();
    if (::mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~ScratchDirectory() {
    std::error_code ignored;
    if (!path_.empty()) std::filesystem::remove_all(path_, ignored);
  }
  ScratchDirectory(const ScratchDirectory&) = delete;
  ScratchDirectory& operator=(const ScratchDirectory&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace

Result<std::string> RenderOpenApi(const Config& base) {
  ScratchDirectory scratch;
  if (scratch.path().empty()) return Error::Unavailable("cannot create a temporary directory");
  // The handlers need a store to be built, never to describe their routes: a scratch one keeps the configured
  // database and data directory out of it.
  Config config = base;
  config.data_dir = scratch.path();
  config.database_url = "sqlite://" + scratch.path() + "/parley.db";
  config.master_key.clear();  // A key of its own, generated in the scratch directory.
  auto box = LoadMasterKey(config);
  if (!box) return box.error();
  auto store = OpenMigratedStore(config, *box);
  if (!store) return store.error();

  boost::asio::io_context io;
  BlockingPool pool(1);
  BoundedPool hashing(1, 0, 0);
  http::Client client(io.get_executor(), {});
  channels::ChannelSet channels = channels::MakeChannels(config, client);
  auto batcher = queue::MakeMemoryBatcher(io.get_executor(), {config.batch_window_ms, config.batch_max_wait_ms});
  agent::AgentService agent_service(io.get_executor(), config, **store, *box, pool, &client);
  auto event_bus = events::MakeInProcessEventBus();
  api::Authenticator authenticator(**store, pool, *box, *event_bus);
  LocalRateLimiter limiter(1, 1);
  http::Router router;
  api::RouteTable table(router, authenticator, limiter);
  mail::Mailer mailer({}, *box, nullptr);  // Disabled: the reference is the same with or without e-mail.
  auto media_files = media::MakeFileMediaStore(scratch.path() + "/media");
  const auto media_signer = media::UrlSigner::FromMasterKey(*box, std::chrono::hours(config.media_url_ttl_hours));
  ApiRoutes routes({config,
                    **store,
                    *box,
                    pool,
                    hashing,
                    authenticator,
                    *batcher,
                    channels,
                    client,
                    *media_files,
                    media_signer,
                    agent_service,
                    billing::StripeMapping{},
                    api::RuntimeStatus{},
                    [](int64_t) {},
                    *event_bus,
                    {},
                    &mailer});
  routes.Register(table);
  std::string document = SerializeJson(api::OpenApiDocument(table.entries()));
  pool.Stop();
  hashing.Stop();
  (*store)->Close();
  return document;
}

}  // namespace parley::app
