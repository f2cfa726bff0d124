#include "agent/agent_responder.h"
#include "agent/llm.h"
#include "agent/responder.h"
#include "agent/service.h"
#include "api/auth.h"
#include "api/route_table.h"
#include "app/analytics_rollup.h"
#include "app/live_events.h"
#include "app/metered_responder.h"
#include "app/pending_sweep.h"
#include "app/reply_worker.h"
#include "app/retention.h"
#include "app/routes.h"
#include "app/setup.h"
#include "app/tenant_batch_windows.h"
#include "app/webhook_dispatcher.h"
#include "billing/meter.h"
#include "channels/channel.h"
#include "channels/registry.h"
#include "core/blocking_pool.h"
#include "core/bounded_pool.h"
#include "core/log.h"
#include "core/rate_limiter.h"
#include "core/time.h"
#include "http/client.h"
#include "http/server.h"
#include "http/static_files.h"
#include "http/tls.h"
#include "knowledge/document_text.h"
#include "mail/mailer.h"
#include "media/fetcher.h"
#include "media/media_store.h"
#include "media/signed_url.h"
#include "media/sniff.h"
#include "queue/batcher.h"
#include "queue/redis/redis_batcher.h"
#include "redis/client.h"
#include "redis/rate_limiter.h"
#include "store/billing_store.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/object.hpp>

#include <charconv>
#include <csignal>
#include <filesystem>
#include <optional>
#include <thread>
#include <vector>

namespace parley::app {
namespace {

// The password hashing threads' nice value: the I/O threads (0) take the cores first when both want them.
constexpr int kHashingNice = 10;
// The event bus's cache name for the store's webhook routing (Store::ForgetCachedRoutes).
constexpr std::string_view kRoutesCache = "channel_routes";

Result<std::pair<std::string, uint16_t>> SplitHostPort(const std::string& listen, std::string_view setting) {
  auto colon = listen.rfind(':');
  if (colon == std::string::npos) return Error::InvalidArgument(std::string(setting) + " must be host:port");
  const std::string_view digits = std::string_view(listen).substr(colon + 1);
  uint16_t port = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
  if (ec != std::errc() || end != digits.data() + digits.size() || digits.empty()) {
    return Error::InvalidArgument(std::string(setting) + " has an invalid port");
  }
  return std::pair{listen.substr(0, colon), port};
}

int Fail(std::string_view event, const Error& e) {
  log::Error(event, {{"error", e.message}, {"detail", e.detail}});
  return 1;
}

// What the listening line says of the database: SQLite's file, or PostgreSQL's scheme, host, port and database, never
// the user, the password or the options of the libpq URI (postgresql://user:password@host:port/database?options).
std::string DatabaseForLog(const Config& config) {
  if (const std::string path = config.SqlitePath(); !path.empty()) return path;
  std::string_view url = config.database_url;
  const size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return "postgresql";
  const std::string_view scheme = url.substr(0, scheme_end);
  std::string_view rest = url.substr(scheme_end + 3);
  rest = rest.substr(0, rest.find('?'));
  // The last '@': a password written without percent-encoding may hold one.
  if (const size_t at = rest.rfind('@'); at != std::string_view::npos) rest = rest.substr(at + 1);
  return std::string(scheme) + "://" + std::string(rest);
}

// What /api/health says of Redis: nothing when it is not configured. Never the URL's password.
std::function<boost::json::object()> RedisStatus(const redis::Client* redis) {
  if (redis == nullptr) return {};
  return [redis] {
    const redis::ClientState state = redis->state();
    boost::json::object status{{"ok", state.connected}, {"endpoint", state.endpoint}};
    if (!state.connected) {
      status["detail"] = state.last_error;
      status["fallback"] = "rate limits per process, live events within the process";
    }
    return status;
  };
}

}  // namespace

int Serve(const Config& config) {
  // A reload asked for while the store opens (a migration or WAL recovery can take a while) would end the process
  // under SIGHUP's default action; until the handler below takes over, it is ignored: what it would reload is read
  // fresh at start anyway.
  std::signal(SIGHUP, SIG_IGN);
  const int64_t started_at = NowMs();
  auto address = SplitHostPort(config.listen, "PARLEY_LISTEN");
  if (!address) return Fail("config_invalid", address.error());
  std::optional<std::pair<std::string, uint16_t>> admin_address;
  if (!config.admin_listen.empty()) {
    auto parsed = SplitHostPort(config.admin_listen, "PARLEY_ADMIN_LISTEN");
    if (!parsed) return Fail("config_invalid", parsed.error());
    admin_address = *parsed;
  }
  auto box = LoadMasterKey(config);
  if (!box) return Fail("master_key_unavailable", box.error());
  // E-mail, before the store too: the store's threads tell it of new events (escalations to notify).
  auto mailer = mail::MakeMailer(config, *box);
  if (!mailer) return Fail("config_invalid", mailer.error());
  // Before Redis's client and the store: what they leave queued on it at an early return is destroyed after them.
  boost::asio::io_context io(config.http_threads);
  // Redis, when several processes share the work (docs/scaling.md): the live events and the rate limits go through
  // it. It connects once the I/O threads run, and reconnects by itself.
  std::optional<redis::Client> redis;
  if (!config.redis_url.empty()) {
    auto endpoint = redis::ParseUrl(config.redis_url);
    if (!endpoint) return Fail("config_invalid", endpoint.error());
    redis.emplace(io.get_executor(), *endpoint);
    redis->Start();
  }
  const RateLimiterFactory rate_limiters = redis ? redis::SharedRateLimiters(*redis) : LocalRateLimiters();
  // Before the store, whose threads announce on its bus until it closes.
  LiveEvents live_events(config, redis ? &*redis : nullptr, io.get_executor());
  auto opened = OpenMigratedStore(
      config, *box, {},
      [announce = live_events.StoreHook(), &mail = **mailer](int64_t tenant, int64_t id) {
        announce(tenant, id);
        mail.OnEvents(tenant, id);
      },
      [&bus = live_events.bus()] { bus.Invalidate(kRoutesCache, "all"); });
  if (!opened) return Fail("store_unavailable", opened.error());
  std::unique_ptr<store::Store> store = std::move(*opened);
  // Processes on one SQLite file each cache webhook routes: a channel disabled or removed through another process
  // must stop being answered here too (docs/scaling.md, "Caches"). Destroyed before the store.
  auto routes_listener = live_events.bus().ListenForInvalidations(
      std::string(kRoutesCache), [&store = *store](std::optional<std::string_view>) { store.ForgetCachedRoutes(); });
  // Billing settings naming plans that do not exist would fail every reply or every Stripe event: refuse to start.
  auto price_plans = billing::ParsePricePlans(config.stripe_price_plans);
  if (!price_plans) return Fail("config_invalid", price_plans.error());
  std::vector<std::string> named_plans{config.default_plan};
  for (const auto& [price, plan] : *price_plans) named_plans.push_back(plan);
  for (const auto& plan : named_plans) {
    if (auto known = store->billing().GetPlan(plan); !known) {
      return Fail("config_invalid", Error::InvalidArgument("plan '" + plan +
                                                           "' (PARLEY_DEFAULT_PLAN or "
                                                           "PARLEY_STRIPE_PRICE_PLANS) is not in the catalog"));
    }
  }

  // SIGHUP's default action would end the process: caught from here on, and queued until it is handled below.
  boost::asio::signal_set reload_signals(io, SIGHUP);
  BlockingPool pool(config.blocking_threads);
  // Password hashing on threads of its own, below the I/O threads' priority: a login spray waits for them (or is
  // refused), never the blocking pool's claims and commits or another tenant's requests.
  BoundedPool hashing(config.password_hash_threads, config.password_hash_queue, kHashingNice);

  auto client_options = OutboundClientOptions(config);
  if (!client_options) return Fail("config_invalid", client_options.error());
  http::Client client(io.get_executor(), *client_options);
  // Customers' media: downloads take a client of their own, whose answers may be as large as a document (100 MB).
  http::ClientOptions media_client_options = *client_options;
  media_client_options.max_response_bytes = static_cast<uint64_t>(media::MaxBytes(media::MediaKind::kDocument));
  http::Client media_client(io.get_executor(), media_client_options);
  auto media_files = media::MakeFileMediaStore((std::filesystem::path(config.data_dir) / "media").string());
  const auto media_signer = media::UrlSigner::FromMasterKey(*box, std::chrono::hours(config.media_url_ttl_hours));

  channels::ChannelSet channels = channels::MakeChannels(config, client);

  // What this process runs (PARLEY_ROLE): a gateway takes webhooks and the API, a worker answers and delivers.
  const bool serves_api = config.role != "worker";
  const bool works = config.role != "gateway";

  agent::AgentService agent_service(io.get_executor(), config, *store, *box, pool, &client);
  auto batch_windows = MakeTenantBatchWindows(io.get_executor(), pool, agent_service, config);
  const queue::BatchPolicy batch_policy{config.batch_window_ms, config.batch_max_wait_ms, batch_windows.get()};
  // With Redis the debounce is shared: a conversation a gateway arms fires in one of the workers. Deadlines Redis may
  // have lost are restored from the store by the sweep (below), which its `on_lost` hook runs at once.
  std::function<void()> deadlines_lost;
  auto batcher = redis ? queue::MakeRedisBatcher(io.get_executor(), batch_policy, *redis,
                                                 [&deadlines_lost] {
                                                   if (deadlines_lost) deadlines_lost();
                                                 })
                       : queue::MakeMemoryBatcher(io.get_executor(), batch_policy);
  agent::AutoReplyResponder away_message(config.auto_reply_text);
  agent::AgentResponder agent_responder(
      config, agent_service, *store, pool, [](const Platform& platform) { return channels::TraitsOf(platform).text; },
      media_files.get());
  auto contact_limiter = rate_limiters("contact_replies", static_cast<double>(config.contact_replies_per_minute) / 60.0,
                                       static_cast<double>(config.contact_replies_burst));
  billing::Meter meter(config, *store, pool, *contact_limiter);
  MeteredResponder metered_agent(config, meter, agent_responder, agent_service, pool);
  agent::Responder& responder =
      config.responder == "away_message" ? static_cast<agent::Responder&>(away_message) : metered_agent;
  // Voice notes are transcribed when an endpoint is configured; the burst waiting for a media is fired once it is
  // settled (ReplyWorker waits for it).
  std::optional<agent::OpenAiTranscriber> transcriber;
  if (!config.transcription_base_url.empty()) {
    transcriber.emplace(client, agent::OpenAiOptions{config.transcription_base_url, config.transcription_api_key,
                                                     config.transcription_model,
                                                     std::chrono::milliseconds(config.transcription_timeout_ms)});
  }
  // A PDF sent in a chat is read like a knowledge document, in the same child process and within the same budget.
  const knowledge::ExtractCommand extract_command = knowledge::ServerExtractCommand();
  const knowledge::ExtractBudget document_budget = knowledge::DocumentBudget(config);
  media::Fetcher media_fetcher(
      io.get_executor(), *store, *media_files, pool, media_client, RealClock(),
      {.channels = &channels,
       .attempts = static_cast<int>(config.media_fetch_attempts),
       .retry_base = std::chrono::milliseconds(config.media_retry_base_ms),
       .image = {.max_pixels = config.media_max_pixels},
       .ocr = {.languages = config.ocr_languages, .max_pixels = config.media_max_pixels},
       .read_pdf =
           [&extract_command, &document_budget, &pool](std::string_view pdf) {
             return knowledge::ExtractText(extract_command, knowledge::Format::kPdf, pdf, document_budget, pool);
           },
       .transcriber = transcriber ? &*transcriber : nullptr,
       .on_settled = [&batcher](const store::PendingConversation& pending) { batcher->Arm(pending); }});
  ReplyWorker worker(io.get_executor(), config, *store, pool, channels, responder, *batcher, RealClock(),
                     {media_files.get(), &media_signer}, [&media_fetcher] { media_fetcher.Wake(); });

  http::Router router;
  http::ServerOptions server_options;
  server_options.host = address->first;
  server_options.port = address->second;
  server_options.max_body_bytes = static_cast<uint64_t>(config.max_body_bytes);
  server_options.max_upload_bytes = static_cast<uint64_t>(config.max_upload_bytes);
  server_options.upload_dir = std::filesystem::path(config.data_dir) / "uploads";
  server_options.max_uploads = config.max_concurrent_uploads;
  server_options.max_uploads_per_address = config.max_uploads_per_address;
  auto proxies = http::TrustedProxies::Parse(config.trusted_proxies);
  if (!proxies)
    return Fail("config_invalid", Error::InvalidArgument("PARLEY_TRUSTED_PROXIES: " + proxies.error().message));
  server_options.trusted_proxies = std::move(*proxies);
  server_options.strict_transport = config.ServedOverHttps();
  if (config.TlsEnabled()) {
    auto tls = http::TlsContext::Load(config.tls_cert, config.tls_key);
    if (!tls) return Fail("config_invalid", tls.error());
    server_options.tls = *tls;
  }
  server_options.header_timeout = std::chrono::milliseconds(config.header_timeout_ms);
  server_options.body_timeout = std::chrono::milliseconds(config.body_timeout_ms);
  server_options.idle_timeout = std::chrono::milliseconds(config.idle_timeout_ms);
  http::Server server(io.get_executor(), server_options, router);
  // Whatever no API route answers is the dashboard's (docs/dashboard.md, "Serving").
  if (serves_api) router.SetFallback(http::StaticFiles({config.web_dir}));
  // The operator's own listener, when asked for: metrics, readiness and the reference leave the public one.
  http::Router admin_router;
  std::optional<http::Server> admin_server;
  if (admin_address) {
    http::ServerOptions admin_options;
    admin_options.host = admin_address->first;
    admin_options.port = admin_address->second;
    admin_options.header_timeout = server_options.header_timeout;
    admin_options.body_timeout = server_options.body_timeout;
    admin_options.idle_timeout = server_options.idle_timeout;
    admin_server.emplace(io.get_executor(), admin_options, admin_router);
  }

  auto webhook_dispatcher =
      MakeWebhookDispatcher(io.get_executor(), config, *store, pool, client, *box, live_events.bus(), media_signer);
  api::Authenticator authenticator(*store, pool, *box, live_events.bus());
  auto tenant_requests = rate_limiters("tenant_api", static_cast<double>(config.api_rate_per_second),
                                       static_cast<double>(config.api_rate_burst));
  api::RouteTable routes(router, authenticator, *tenant_requests,
                         {config.metrics_token, admin_server ? &admin_router : nullptr});
  ApiRoutes api_routes({config,
                        *store,
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
                        billing::StripeMapping{*price_plans},
                        {[&server] { return server.active_connections(); }, [&worker] { return worker.in_flight(); },
                         started_at, RedisStatus(redis ? &*redis : nullptr)},
                        [&worker](int64_t conversation_id) { worker.SendOutbox(conversation_id); },
                        live_events.bus(),
                        live_events.api_options(),
                        mailer->get(),
                        [&webhook_dispatcher] { webhook_dispatcher->Wake(); },
                        rate_limiters,
                        [&media_fetcher] { media_fetcher.Wake(); }});
  if (serves_api) {
    api_routes.Register(routes);
  } else {
    api_routes.RegisterProbes(routes);
  }

  if (auto started = server.Start(); !started) return Fail("listen_failed", started.error());
  if (admin_server) {
    if (auto started = admin_server->Start(); !started) return Fail("listen_failed", started.error());
  }

  // Recovery, in a process that answers, before its batcher fires: replies committed but not sent (a crash between
  // commit and send, or a retry waiting for the platform), then every conversation left with unanswered messages
  // (unless another process already armed it). With Redis the same pass is repeated by the sweep.
  PendingSweep::Recovered recovered;
  AnalyticsRollup analytics_rollup;
  RetentionSweeper retention(config);
  PendingSweep pending_sweep(io.get_executor(), *store, pool, *batcher, worker, agent_service.ingestor(),
                             std::chrono::milliseconds(config.processing_timeout_ms));
  if (works) {
    auto recovery = pending_sweep.Recover();
    if (!recovery) return Fail("recovery_failed", recovery.error());
    recovered = *recovery;
    batcher->Start([&worker](int64_t conversation_id) { worker.OnDue(conversation_id); });
    if (redis) {
      deadlines_lost = [&pending_sweep] { pending_sweep.SweepNow(); };
      pending_sweep.Start();
    }
    // Documents left pending or half-processed by the previous run are taken up again here.
    agent_service.ingestor().Start();
    analytics_rollup.Start(io.get_executor(), *store, pool);  // Catches up (the backfill after 0025), then follows.
    webhook_dispatcher->Start();  // Resumes the deliveries that were pending when the server stopped.
    retention.Start(io.get_executor(), *store, pool, *media_files);
    media_fetcher.Start();  // Resumes the media left pending by the previous run.
  }
  live_events.StartPruning(io.get_executor(), *store, pool);
  (*mailer)->Start(*store);  // Sends what was queued before a stop, then what comes (leased: any process may).

  // Written whatever the log level: scripts and tests read the bound port from this line.
  boost::json::object listening{{"address", address->first + ":" + std::to_string(server.port())},
                                {"port", server.port()},
                                {"database", DatabaseForLog(config)},
                                {"role", config.role},
                                {"recovered_conversations", static_cast<int64_t>(recovered.conversations)},
                                {"recovered_replies", static_cast<int64_t>(recovered.replies)},
                                {"startup_ms", NowMs() - started_at}};
  if (redis) listening["redis"] = redis->endpoint().Redacted();
  if (admin_server) {
    listening["admin_address"] = admin_address->first + ":" + std::to_string(admin_server->port());
    listening["admin_port"] = admin_server->port();
  }
  if (server_options.tls) {
    const http::CertificateSummary certificate = server_options.tls->summary();
    listening["tls"] = {{"subject", certificate.subject}, {"not_after", certificate.not_after}};
  }
  log::Write(log::Level::kInfo, "listening", std::move(listening));

  // SIGHUP rereads the TLS certificate and key (a renewal); a pair that cannot be used leaves the old one serving.
  boost::asio::co_spawn(
      io,
      [&]() -> boost::asio::awaitable<void> {
        for (;;) {
          auto [ec, signal] = co_await reload_signals.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
          if (ec) co_return;
          if (!server_options.tls) {
            log::Info("reload_ignored", {{"signal", signal}, {"reason", "PARLEY_TLS_CERT is not set"}});
            continue;
          }
          if (auto reloaded = server_options.tls->Reload()) {
            log::Info(
                "tls_reloaded",
                {{"subject", reloaded->subject}, {"serial", reloaded->serial}, {"not_after", reloaded->not_after}});
          } else {
            log::Warn("tls_reload_failed", {{"error", reloaded.error().message}, {"kept", "the previous pair"}});
          }
        }
      },
      [](std::exception_ptr e) {
        if (e) log::Error("reload_handler_failed", {});
      });

  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](boost::system::error_code ec, int signal) {
    if (ec) return;
    log::Info("shutting_down", {{"signal", signal}});
    reload_signals.cancel();
    boost::asio::co_spawn(
        io,
        [&]() -> boost::asio::awaitable<void> {
          const auto budget = std::chrono::milliseconds(config.shutdown_timeout_ms);
          batcher->Stop();
          pending_sweep.Stop();
          agent_service.ingestor().Stop();
          live_events.Stop();
          analytics_rollup.Stop();
          webhook_dispatcher->Stop();
          (*mailer)->Stop();  // Abandons a send in progress: a mail server that does not answer delays nothing.
          retention.Stop();
          media_fetcher.Stop();
          co_await server.Stop();
          if (admin_server) co_await admin_server->Stop();
          co_await worker.Drain(budget);
          client.Shutdown();
          media_client.Shutdown();
          if (redis) co_await redis->Stop();  // After the streams and the replies, which used it.
          log::Info("stopped", {{"replies_unfinished", worker.in_flight()}});
          io.stop();
        },
        [&io](std::exception_ptr e) {
          if (e) log::Error("shutdown_failed", {});
          io.stop();
        });
    // A connection that never finishes must not hold the process forever.
    auto deadline = std::make_shared<boost::asio::steady_timer>(
        io, std::chrono::milliseconds(config.shutdown_timeout_ms) + std::chrono::seconds(5));
    deadline->async_wait([&io, deadline](boost::system::error_code ec) {
      if (!ec) {
        log::Warn("shutdown_forced", {});
        io.stop();
      }
    });
  });

  std::vector<std::thread> threads;
  for (int i = 1; i < config.http_threads; ++i) threads.emplace_back([&io] { io.run(); });
  io.run();
  for (auto& t : threads) t.join();
  pool.Stop();
  (*mailer)->Stop();  // Already stopped, unless the loop ended otherwise: the store must outlive its thread.
  hashing.Stop();
  if (auto flushed = agent_service.indexes().Flush(); !flushed) {
    log::Warn("index_not_saved", {{"detail", flushed.error().detail}});
  }
  store->Close();
  return 0;
}

}  // namespace parley::app
