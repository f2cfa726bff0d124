#pragma once
// Parley's configuration: one declarative table (kConfigKeys in config.cpp) drives parsing from environment
// variables and an optional TOML file, validation, `parley config docs` and docs/configuration.md.
// Precedence: environment variable > TOML file > default. Unknown TOML keys are errors.

#include "core/error.h"

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace parley {

// Built once at start-up, immutable afterwards, passed by const reference.
struct Config {
  // Server
  std::string listen = "127.0.0.1:8080";  //!< host:port the HTTP server binds; port 0 picks a free one.
  std::string admin_listen;   //!< host:port of the operator's listener (metrics, readiness, reference); empty: none.
  std::string metrics_token;  //!< Bearer token the operator's routes require; empty: none.
  std::string data_dir = "./data";          //!< Database, master key and indexes live here.
  std::string database_url;                 //!< Default: sqlite://<data_dir>/parley.db.
  int database_pool = 8;                    //!< PostgreSQL: connections pooled for the store's calls.
  std::string redis_url;                    //!< redis://… shared by several processes; empty: none.
  std::string role = "all";                 //!< What `parley serve` runs: "all", "gateway" or "worker".
  int http_threads = 2;                     //!< Threads running the I/O event loop.
  int blocking_threads = 4;                 //!< Bounded pool for blocking work (store reads, claims).
  int64_t max_body_bytes = 1 << 20;         //!< Request bodies above this answer 413.
  int64_t max_upload_bytes = 20 << 20;      //!< Knowledge document uploads above this answer 413.
  int max_concurrent_uploads = 8;           //!< Uploads received at once, over every client (503 beyond).
  int max_uploads_per_address = 2;          //!< Uploads received at once from one client address (429 beyond).
  std::string trusted_proxies;              //!< CIDRs of reverse proxies whose X-Forwarded-For names the client.
  int64_t header_timeout_ms = 10000;        //!< Time allowed to receive a request's headers.
  int64_t body_timeout_ms = 10000;          //!< Time allowed to receive a request's body.
  int64_t idle_timeout_ms = 60000;          //!< Keep-alive connections idle this long are closed.
  int64_t shutdown_timeout_ms = 30000;      //!< Longest wait for in-flight work on SIGTERM.
  std::string sqlite_synchronous = "full";  //!< SQLite `synchronous` pragma: full (durable) or normal.
  //! Where people and platforms reach Parley (`https://parley.example.com`), without a trailing slash; empty: unset.
  std::string public_url;
  //! PEM certificate chain and its private key: both set, the public listener speaks HTTPS (SIGHUP rereads them).
  std::string tls_cert;
  std::string tls_key;
  std::string web_dir;  //!< The dashboard's built files; resolved by LoadConfig (default: `web` beside the binary).

  // Secrets
  std::string master_key;  //!< 32-byte key (64 hex chars) sealing channel tokens; generated into data_dir if empty.
  //! The platforms' own settings (their webhook secrets and verify tokens), by TOML key: each platform declares
  //! them (channels::PlatformConfigKeys) and LoadConfig reads them like the table's.
  std::map<std::string, std::string, std::less<>> platform_settings;
  //! A platform's setting by TOML key; empty when unset.
  std::string_view PlatformSetting(std::string_view key) const;

  // Platforms
  std::string graph_api_base_url = "https://graph.facebook.com/v23.0";
  // Meta's OAuth, for connecting accounts from the API (/api/social-accounts/connect/{platform}).
  std::string meta_client_id;
  std::string meta_client_secret;
  std::string meta_redirect_uri;  //!< The callback URL; "{platform}" stands for whatsapp or instagram.
  std::string meta_oauth_dialog_url = "https://www.facebook.com/v23.0/dialog/oauth";

  // Batching and replies
  int64_t batch_window_ms = 2000;         //!< Quiet time after a customer's last message before answering.
  int64_t batch_max_wait_ms = 10000;      //!< Longest a customer waits for an answer during a long burst.
  int64_t processing_timeout_ms = 30000;  //!< A claim older than this is released and counted as timed out.
  int64_t send_retry_base_ms = 5000;      //!< First wait before sending again after a transient failure.
  int64_t send_retry_max_ms = 600000;     //!< Longest wait between two attempts (the waits double up to it).
  int64_t send_lease_ms = 60000;          //!< A sender holds a queued message this long; then another may send it.
  int64_t answer_cutoff_s = 3600;         //!< Messages older than this (platform time) are stored, not answered.
  std::string auto_reply_text;            //!< The away message the built-in responder sends.
  std::string responder = "agent";        //!< "agent" (the AI agent) or "away_message" (always auto_reply_text).
  int64_t human_idle_minutes = 60;        //!< Human mode reverts to the bot after this long without a person's reply.

  // Live events (GET /api/events; docs/dashboard.md)
  int64_t events_keepalive_ms = 15000;   //!< An idle event stream sends a comment line this often.
  int64_t events_retention_hours = 24;   //!< The event log keeps events this long…
  int64_t events_per_tenant = 50000;     //!< …and at most this many per tenant.
  int64_t retention_sweep_ms = 3600000;  //!< Messages past a tenant's retention period are deleted this often.

  // Customers' media (docs/media.md)
  int64_t media_url_ttl_hours = 24;     //!< Signed media links work this long.
  int64_t media_retention_days = 0;     //!< Media files are deleted this long after they came; 0: with the message.
  int64_t media_max_pixels = 40000000;  //!< Images declaring more pixels are not decoded.
  int64_t media_fetch_attempts = 5;     //!< Downloads tried before a media is marked failed…
  int64_t media_retry_base_ms = 10000;  //!< …waiting this long after the first failure, doubling each time.
  int64_t media_wait_ms = 60000;        //!< A burst waits this long at most for its media to be fetched and read.
  std::string transcription_base_url;   //!< OpenAI-compatible; empty: voice notes are not transcribed.
  std::string transcription_api_key;    //!< Secret.
  std::string transcription_model = "whisper-1";
  int64_t transcription_timeout_ms = 60000;
  std::string ocr_languages = "eng+fra+deu+spa";  //!< Tesseract's; empty: no text is read from images.

  // Access
  int64_t session_ttl_hours = 168;   //!< A login session lasts this long.
  int64_t api_rate_per_second = 50;  //!< Tenant API requests refill at this rate per tenant…
  int64_t api_rate_burst = 200;      //!< …up to this many at once (0 rate: unlimited).

  // E-mail (mail/mailer.h): invitations, password reset links, escalation notices.
  std::string smtp_url;                //!< smtp://host:587 (STARTTLS) or smtps://host:465; empty: no e-mail.
  std::string smtp_user;               //!< Empty: no AUTH.
  std::string smtp_password;           //!< Secret.
  std::string smtp_from;               //!< `Parley <noreply@example.com>`.
  int64_t smtp_retry_base_ms = 30000;  //!< First wait before sending a refused e-mail again (doubling, ≤ 1 h).

  // Logins (api/login_guard.h): counted before any password is hashed.
  int64_t login_per_address_per_minute = 30;  //!< Login attempts from one client address refill at this rate…
  int64_t login_per_address_burst = 10;       //!< …up to this many at once.
  int64_t login_per_second = 10;              //!< Login attempts over all clients refill at this rate…
  int64_t login_burst = 20;                   //!< …up to this many at once.
  int password_hash_threads = 1;              //!< Threads hashing and checking passwords, apart from other work.
  int password_hash_queue = 16;               //!< Password checks waiting for those threads; beyond it 503.

  // AI providers (OpenAI-compatible); each tenant's AI settings may override them.
  std::string llm_base_url;  //!< Empty: no model; the extractive answerer replies offline.
  std::string llm_api_key;
  std::string llm_model = "gpt-4o-mini";
  bool llm_vision = false;          //!< The model reads images: customers' photos are given to it.
  int64_t llm_timeout_ms = 30000;   //!< Per attempt.
  std::string embeddings_base_url;  //!< Empty: the built-in offline embedder.
  std::string embeddings_api_key;
  std::string embeddings_model = "text-embedding-3-small";
  //! FreeDict dictionaries (dictd format) translating an offline question into the knowledge's language; a pair
  //! whose files are absent is searched untranslated.
  std::string dictionary_dir = "/usr/share/dictd";
  int64_t ingest_lease_ms = 60000;  //!< A document being processed by a worker that died is taken again after this.
  int64_t ingest_documents_in_flight = 3;  //!< Documents processed at once; one tenant holds all but one of them.
  int64_t document_max_pages = 1000;       //!< A PDF with more pages fails with the reason.
  int64_t document_max_chars = 10000000;   //!< A document with more characters of text fails with the reason.
  int64_t document_cpu_seconds = 30;       //!< Processor time reading one PDF, DOCX or HTML document may take.
  int64_t document_memory_mb = 1024;       //!< Address space of the process that reads one document.
  int64_t document_ocr_pages = 20;         //!< PDF pages without a text layer read by OCR per document.
  int64_t document_ocr_seconds = 20;       //!< OCR time for one document (an image, or its scanned pages).

  // Plans, credits and billing (docs/billing.md)
  std::string default_plan;                 //!< The plan of a tenant nobody put on another one; resolved by LoadConfig.
  int64_t prompt_tokens_per_credit = 1000;  //!< Credits an AI reply costs: prompt tokens / this …
  int64_t completion_tokens_per_credit = 250;  //!< … plus completion tokens / this, rounded up …
  int64_t min_reply_credits = 1;               //!< … and at least this (the offline answerer reports no tokens).
  std::string image_notice;                    //!< Sent instead of an answer to an image the plan does not cover.
  std::string audio_notice;                    //!< The same for audio and voice messages.
  int64_t contact_replies_per_minute = 6;      //!< AI replies one contact may receive, refilled per minute…
  int64_t contact_replies_burst = 10;          //!< …up to this many at once; 0 per minute: unlimited.
  std::string stripe_secret_key;               //!< sk_…: with the webhook secret, turns billing on.
  std::string stripe_webhook_secret;           //!< whsec_…: verifies Stripe-Signature.
  std::string stripe_price_plans;              //!< "price_123=pro,price_456=business".
  std::string stripe_api_base_url = "https://api.stripe.com";  //!< Checkout and portal sessions.

  // Outbound HTTP
  int64_t connect_timeout_ms = 5000;
  int64_t read_timeout_ms = 10000;
  int64_t write_timeout_ms = 5000;
  std::string outbound_allow;  //!< CIDRs and host names that URLs a tenant supplies may reach besides public ones.

  // Outbound webhooks (webhooks/dispatcher.h, docs/webhooks.md)
  int64_t webhook_timeout_ms = 10000;      //!< An endpoint must answer a delivery within this.
  int64_t webhook_concurrency = 8;         //!< Deliveries sent at once, all tenants together.
  int64_t webhook_retry_base_ms = 30000;   //!< First wait after a failed delivery (doubling)…
  int64_t webhook_retry_max_ms = 3600000;  //!< …up to this between two attempts…
  int64_t webhook_retry_hours = 24;        //!< …for this long; then the delivery has failed.

  // Logs
  std::string log_level = "info";  //!< trace, debug, info, warn, error.

  // Resolved helpers.
  //! Billing is a SaaS operator's choice: both Stripe secrets set. Without it tenants default to `self-hosted`.
  bool BillingEnabled() const { return !stripe_secret_key.empty() && !stripe_webhook_secret.empty(); }
  std::string SqlitePath() const;  //!< The file path when database_url is sqlite://, else empty.
  //! Parley serves TLS itself (LoadConfig ensures tls_key is set along with tls_cert).
  bool TlsEnabled() const { return !tls_cert.empty(); }
  //! People reach Parley over https, through Parley's own TLS or a proxy in front (an https public URL says so): its
  //! session cookie then carries Secure and its responses Strict-Transport-Security.
  bool ServedOverHttps() const { return TlsEnabled() || public_url.starts_with("https://"); }
};

// One row of the table: everything needed to parse, validate and document a setting.
struct ConfigKey {
  std::string name;         //!< TOML key.
  std::string env;          //!< Environment variable.
  std::string type;         //!< string, integer.
  std::string default_doc;  //!< Default as documented.
  std::string description;
  bool secret = false;  //!< Never printed or logged.
};

// The table's keys, then `platform_keys` (the platforms' own, from channels::PlatformConfigKeys()).
std::vector<ConfigKey> ConfigKeys(std::span<const ConfigKey> platform_keys = {});

// Reads a variable of the environment; injectable for tests.
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;
EnvLookup ProcessEnv();

// Builds the configuration from `env` and, when given, the TOML file at `toml_path` (or `PARLEY_CONFIG`).
// Fails with kInvalidArgument naming the key on a bad value, a value out of bounds or an unknown TOML key.
// `platform_keys` are read too, into Config::platform_settings.
Result<Config> LoadConfig(const EnvLookup& env, std::optional<std::string> toml_path = std::nullopt,
                          std::span<const ConfigKey> platform_keys = {});

// docs/configuration.md, generated from the table; a unit test keeps the committed file in step.
std::string ConfigMarkdown(std::span<const ConfigKey> platform_keys = {});

// The entries of a setting that lists several values separated by commas (PARLEY_TRUSTED_PROXIES,
// PARLEY_OUTBOUND_ALLOW, PARLEY_STRIPE_PRICE_PLANS, …): each with spaces and tabs trimmed, empty ones left out.
// Views into `list`.
std::vector<std::string_view> SplitListSetting(std::string_view list);

}  // namespace parley
