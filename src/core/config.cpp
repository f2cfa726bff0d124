#include "core/config.h"

#include <toml++/toml.h>

#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <span>
#include <sstream>

namespace parley {
namespace {

constexpr std::string_view kDefaultAutoReply =
    "Thanks for your message! We have received it and will get back to you as soon as we can.";

constexpr std::string_view kDefaultImageNotice =
    "Sorry, I can't look at images here. Could you tell me in a message what you need?";
constexpr std::string_view kDefaultAudioNotice =
    "Sorry, I can't listen to voice or audio messages here. Could you write your question instead?";

using Setter = std::function<Result<void>(Config&, const std::string&)>;

struct Entry {
  ConfigKey key;
  Setter set;
};

Setter String(std::string Config::*field) {
  return [field](Config& c, const std::string& v) -> Result<void> {
    c.*field = v;
    return Ok();
  };
}

Setter OneOf(std::string Config::*field, std::vector<std::string> allowed) {
  return [field, allowed = std::move(allowed)](Config& c, const std::string& v) -> Result<void> {
    for (const auto& a : allowed) {
      if (a == v) {
        c.*field = v;
        return Ok();
      }
    }
    std::string list;
    for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
    return Error::InvalidArgument("must be one of: " + list);
  };
}

// An absolute http(s) URL with a host and nothing after the path, kept without a trailing slash so that paths
// append to it ("" leaves the setting unset).
Setter HttpUrl(std::string Config::*field) {
  return [field](Config& c, const std::string& v) -> Result<void> {
    std::string_view url = v;
    while (url.ends_with('/')) url.remove_suffix(1);
    if (url.empty()) {
      c.*field = "";
      return Ok();
    }
    const auto scheme_end = url.find("://");
    const std::string_view scheme = url.substr(0, scheme_end);
    if (scheme_end == std::string_view::npos || (scheme != "http" && scheme != "https")) {
      return Error::InvalidArgument("must be an http:// or https:// URL");
    }
    const std::string_view rest = url.substr(scheme_end + 3);
    const std::string_view authority = rest.substr(0, rest.find('/'));
    if (authority.empty() || authority.front() == ':') return Error::InvalidArgument("must name a host");
    for (char ch : url) {
      if (static_cast<unsigned char>(ch) <= ' ' || ch == 0x7f) {
        return Error::InvalidArgument("must not contain spaces or control characters");
      }
    }
    if (url.find_first_of("?#") != std::string_view::npos || authority.find('@') != std::string_view::npos) {
      return Error::InvalidArgument("must be scheme://host[:port][/path], without user, query or fragment");
    }
    c.*field = std::string(url);
    return Ok();
  };
}

Setter Boolean(bool Config::*field) {
  return [field](Config& c, const std::string& v) -> Result<void> {
    if (v != "true" && v != "false" && v != "1" && v != "0") return Error::InvalidArgument("must be true or false");
    c.*field = v == "true" || v == "1";
    return Ok();
  };
}

// `web` in the directory of the running executable: where the build puts the dashboard beside `parley`.
std::string DefaultWebDir() {
  std::error_code ec;
  const std::filesystem::path executable = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec || executable.empty()) return "web";
  return (executable.parent_path() / "web").string();
}

template <class Int>
Setter Integer(Int Config::*field, int64_t min, int64_t max) {
  return [field, min, max](Config& c, const std::string& v) -> Result<void> {
    int64_t parsed = 0;
    auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), parsed);
    if (ec != std::errc() || end != v.data() + v.size()) return Error::InvalidArgument("must be an integer");
    if (parsed < min || parsed > max) {
      return Error::InvalidArgument("must be between " + std::to_string(min) + " and " + std::to_string(max));
    }
    c.*field = static_cast<Int>(parsed);
    return Ok();
  };
}

const std::vector<Entry>& Entries() {
  static const std::vector<Entry> entries = {
      {{"listen", "PARLEY_LISTEN", "string", "127.0.0.1:8080",
        "Address the HTTP server binds (host:port; port 0 picks a free port)."},
       String(&Config::listen)},
      {{"admin_listen", "PARLEY_ADMIN_LISTEN", "string", "(none)",
        "Address of a second listener for the operator (host:port, e.g. 127.0.0.1:9090): it serves GET /metrics, "
        "GET /api/health and GET /api/openapi.json, which the main listener then no longer serves, and GET /health."},
       String(&Config::admin_listen)},
      {{"metrics_token", "PARLEY_METRICS_TOKEN", "string", "(none)",
        "Bearer token required by GET /metrics, GET /api/health and GET /api/openapi.json wherever they are served; "
        "unset leaves them open (GET /health always is).",
        true},
       String(&Config::metrics_token)},
      {{"data_dir", "PARLEY_DATA_DIR", "string", "./data",
        "Directory for the database, the generated master key and indexes."},
       String(&Config::data_dir)},
      {{"database_url", "PARLEY_DATABASE_URL", "string", "sqlite://$PARLEY_DATA_DIR/parley.db",
        "Storage backend. `sqlite://PATH` (WAL mode; `sqlite:///abs/path.db` for an absolute path), or PostgreSQL "
        "as a libpq URI, `postgresql://user:password@host:port/database?sslmode=require` (`postgres://` too), "
        "which several `parley serve` processes can share (see docs/scaling.md). Every command that opens the "
        "store applies its pending migrations.",
        true},
       [](Config& c, const std::string& v) -> Result<void> {
         if (!v.empty() && !v.starts_with("sqlite://") && !v.starts_with("postgresql://") &&
             !v.starts_with("postgres://")) {
           return Error::InvalidArgument("must start with sqlite://, postgresql:// or postgres://");
         }
         c.database_url = v;
         return Ok();
       }},
      {{"database_pool", "PARLEY_DATABASE_POOL", "integer", "8",
        "PostgreSQL: connections each process keeps open for the store's calls (1-256), besides one for webhook "
        "ingest. Size the server's `max_connections` for every process's pool plus one. SQLite ignores it."},
       Integer(&Config::database_pool, 1, 256)},
      {{"redis_url", "PARLEY_REDIS_URL", "string", "(none)",
        "Redis shared by several `parley serve` processes (`redis://[[user]:password@]host[:port][/db]`; the "
        "password %-encoded): the dashboard's live events and the rate limits (logins, tenant API, per contact) go "
        "through it. Unset: both stay in the process, which is right for one process. If Redis cannot be reached, "
        "rate limits fall back to each process's own and live events to each process's own streams (see "
        "docs/scaling.md).",
        true},
       [](Config& c, const std::string& v) -> Result<void> {
         if (v.starts_with("rediss://"))
           return Error::InvalidArgument(
               "rediss:// (Redis over TLS) is not supported: Debian 12's hiredis has no TLS. Reach Redis over "
               "loopback, a private network or a TLS tunnel such as stunnel, with redis:// (docs/scaling.md, \"Redis "
               "over TLS\")");
         if (!v.empty() && !v.starts_with("redis://")) return Error::InvalidArgument("must start with redis://");
         c.redis_url = v;
         return Ok();
       }},
      {{"role", "PARLEY_ROLE", "string", "all",
        "What `parley serve` runs (`parley serve --role` overrides it): `all` (everything, in one process), `gateway` "
        "(webhooks, the API and the dashboard: it stores messages and arms their debounce in Redis) or `worker` "
        "(fires the debounce, runs the agent, delivers replies, ingests documents, rolls analytics up and sends "
        "outbound webhooks; it answers /health, /api/health and /metrics only). `gateway` and `worker` need "
        "PARLEY_REDIS_URL (docs/scaling.md)."},
       OneOf(&Config::role, {"all", "gateway", "worker"})},
      {{"public_url", "PARLEY_PUBLIC_URL", "string", "(none)",
        "The address people and platforms reach Parley at (`https://parley.example.com`, an http or https URL, a "
        "path allowed): the base of links Parley gives out (password resets). With `https://` (or PARLEY_TLS_CERT), "
        "the session cookie of the dashboard is marked Secure and responses carry Strict-Transport-Security."},
       HttpUrl(&Config::public_url)},
      {{"tls_cert", "PARLEY_TLS_CERT", "string", "(none)",
        "PEM file of the certificate chain (leaf first, e.g. certbot's `fullchain.pem`). Set with PARLEY_TLS_KEY, "
        "the listener of PARLEY_LISTEN speaks HTTPS only (TLS 1.2 and 1.3); SIGHUP reads both files again for new "
        "connections. The operator's listener (PARLEY_ADMIN_LISTEN) stays plain HTTP. See docs/operations.md."},
       String(&Config::tls_cert)},
      {{"tls_key", "PARLEY_TLS_KEY", "string", "(none)",
        "PEM file of the certificate's private key, unencrypted (e.g. certbot's `privkey.pem`); readable by Parley "
        "alone."},
       String(&Config::tls_key)},
      {{"web_dir", "PARLEY_WEB_DIR", "string", "`web` beside the `parley` executable",
        "Directory of the dashboard's built files (`make build` writes them to `build/web`), served at `/`. Without "
        "it `/` answers a page saying how to build the dashboard; the API works either way."},
       String(&Config::web_dir)},
      {{"sqlite_synchronous", "PARLEY_SQLITE_SYNCHRONOUS", "string", "full",
        "SQLite `synchronous` pragma: `full` survives power loss, `normal` only process crashes."},
       OneOf(&Config::sqlite_synchronous, {"full", "normal"})},
      {{"http_threads", "PARLEY_HTTP_THREADS", "integer", "2", "Threads running the network event loop (1-64)."},
       Integer(&Config::http_threads, 1, 64)},
      {{"blocking_threads", "PARLEY_BLOCKING_THREADS", "integer", "4",
        "Bounded pool for blocking work such as store reads (1-256)."},
       Integer(&Config::blocking_threads, 1, 256)},
      {{"max_body_bytes", "PARLEY_MAX_BODY_BYTES", "integer", "1048576",
        "Largest accepted request body; larger ones answer 413."},
       Integer(&Config::max_body_bytes, 1024, int64_t{1} << 30)},
      {{"max_upload_bytes", "PARLEY_MAX_UPLOAD_BYTES", "integer", "20971520",
        "Largest knowledge document upload (POST /api/knowledge-documents); larger ones answer 413."},
       Integer(&Config::max_upload_bytes, 1024, int64_t{1} << 30)},
      {{"max_concurrent_uploads", "PARLEY_MAX_CONCURRENT_UPLOADS", "integer", "8",
        "Uploads the server receives at once (each streams to a file under `$PARLEY_DATA_DIR/uploads`); beyond it "
        "503 with Retry-After, answered before the body is read."},
       Integer(&Config::max_concurrent_uploads, 1, 10000)},
      {{"max_uploads_per_address", "PARLEY_MAX_UPLOADS_PER_ADDRESS", "integer", "2",
        "Uploads received at once from one client address (an IPv6 client by its /64); beyond it 429 with "
        "Retry-After."},
       Integer(&Config::max_uploads_per_address, 1, 10000)},
      {{"trusted_proxies", "PARLEY_TRUSTED_PROXIES", "string", "(none)",
        "Reverse proxies in front of Parley, as comma-separated CIDR blocks or addresses (`127.0.0.1, 10.0.0.0/8`). "
        "Only a request from one of them has its `X-Forwarded-For` believed: the client is the right-most address "
        "there that is not itself a trusted proxy. Per-address limits (logins, uploads) count by that client. "
        "Unset: the TCP peer is the client."},
       String(&Config::trusted_proxies)},
      {{"header_timeout_ms", "PARLEY_HEADER_TIMEOUT_MS", "integer", "10000",
        "Time allowed to receive a request's headers."},
       Integer(&Config::header_timeout_ms, 10, 600000)},
      {{"body_timeout_ms", "PARLEY_BODY_TIMEOUT_MS", "integer", "10000", "Time allowed to receive a request's body."},
       Integer(&Config::body_timeout_ms, 10, 600000)},
      {{"idle_timeout_ms", "PARLEY_IDLE_TIMEOUT_MS", "integer", "60000",
        "Keep-alive connections idle this long are closed."},
       Integer(&Config::idle_timeout_ms, 10, 3600000)},
      {{"shutdown_timeout_ms", "PARLEY_SHUTDOWN_TIMEOUT_MS", "integer", "30000",
        "Longest wait for in-flight requests and replies on SIGTERM/SIGINT."},
       Integer(&Config::shutdown_timeout_ms, 0, 600000)},
      {{"master_key", "PARLEY_MASTER_KEY", "string", "generated into `$PARLEY_DATA_DIR/master.key`",
        "64 hex characters (32 bytes) sealing channel access tokens at rest.", true},
       String(&Config::master_key)},
      {{"graph_api_base_url", "PARLEY_GRAPH_API_BASE_URL", "string", "https://graph.facebook.com/v23.0",
        "Base URL of every Graph API call (tests point it at a local fake)."},
       String(&Config::graph_api_base_url)},
      {{"meta_client_id", "META_CLIENT_ID", "string", "(none)",
        "Meta app id for connecting WhatsApp and Instagram accounts with Facebook Login "
        "(`/api/social-accounts/connect/{platform}`); unset disables connecting that way."},
       String(&Config::meta_client_id)},
      {{"meta_client_secret", "META_CLIENT_SECRET", "string", "(none)",
        "Meta app secret, for the OAuth code exchange and for inspecting the tokens it returns.", true},
       String(&Config::meta_client_secret)},
      {{"meta_redirect_uri", "META_REDIRECT_URI", "string", "(none)",
        "Public URL of the OAuth callback, as registered in the Meta app (e.g. "
        "`https://host/api/social-accounts/connect/{platform}/callback`; `{platform}` becomes `whatsapp` or "
        "`instagram`)."},
       String(&Config::meta_redirect_uri)},
      {{"meta_oauth_dialog_url", "PARLEY_META_OAUTH_DIALOG_URL", "string",
        "https://www.facebook.com/v23.0/dialog/oauth", "Meta's Login dialog, where `connect` sends the browser."},
       String(&Config::meta_oauth_dialog_url)},
      {{"batch_window_ms", "PARLEY_BATCH_WINDOW_MS", "integer", "2000",
        "Quiet time after a customer's last message before the burst is answered."},
       Integer(&Config::batch_window_ms, 0, 600000)},
      {{"batch_max_wait_ms", "PARLEY_BATCH_MAX_WAIT_MS", "integer", "10000",
        "Longest a customer waits for an answer while still typing a long burst."},
       Integer(&Config::batch_max_wait_ms, 0, 3600000)},
      {{"processing_timeout_ms", "PARLEY_PROCESSING_TIMEOUT_MS", "integer", "30000",
        "A reply still being produced after this is abandoned, released and counted as timed out."},
       Integer(&Config::processing_timeout_ms, 100, 3600000)},
      {{"send_retry_base_ms", "PARLEY_SEND_RETRY_BASE_MS", "integer", "5000",
        "After a transient send failure (Meta down, throttling, a network error) the reply stays queued and is sent "
        "again after this long, then after twice as long each time (or after the wait the platform asks for, when "
        "longer), for as long as the platform's messaging window is open."},
       Integer(&Config::send_retry_base_ms, 10, 3600000)},
      {{"send_retry_max_ms", "PARLEY_SEND_RETRY_MAX_MS", "integer", "600000",
        "Longest wait between two attempts to send a queued reply."},
       Integer(&Config::send_retry_max_ms, 10, 86400000)},
      {{"send_lease_ms", "PARLEY_SEND_LEASE_MS", "integer", "60000",
        "A process sending a queued reply holds it this long; should it crash, another sends the reply after that. "
        "Longer than a send takes with its retries."},
       Integer(&Config::send_lease_ms, 1000, 3600000)},
      {{"answer_cutoff_s", "PARLEY_ANSWER_CUTOFF_S", "integer", "3600",
        "Messages older than this (by platform timestamp) are stored and shown but not answered automatically."},
       Integer(&Config::answer_cutoff_s, 1, int64_t{30} * 86400)},
      {{"auto_reply_text", "PARLEY_AUTO_REPLY_TEXT", "string", std::string(kDefaultAutoReply),
        "The away message the built-in responder sends to each burst."},
       String(&Config::auto_reply_text)},
      {{"llm_base_url", "PARLEY_LLM_BASE_URL", "string", "(none)",
        "OpenAI-compatible API base (e.g. `https://api.openai.com/v1`) for answers; unset answers offline from the "
        "best passage."},
       String(&Config::llm_base_url)},
      {{"llm_api_key", "PARLEY_LLM_API_KEY", "string", "(none)", "Bearer key for the language model.", true},
       String(&Config::llm_api_key)},
      {{"llm_model", "PARLEY_LLM_MODEL", "string", "gpt-4o-mini", "Model name sent to the language model."},
       String(&Config::llm_model)},
      {{"llm_vision", "PARLEY_LLM_VISION", "boolean", "false",
        "The language model reads images (a vision model): customers' photos go to it with their messages. Tenants "
        "using this model inherit it; a tenant's own model is marked in its AI settings (`llm_vision`)."},
       Boolean(&Config::llm_vision)},
      {{"llm_timeout_ms", "PARLEY_LLM_TIMEOUT_MS", "integer", "30000",
        "Time allowed for one language-model call (each of its 3 attempts)."},
       Integer(&Config::llm_timeout_ms, 100, 600000)},
      {{"embeddings_base_url", "PARLEY_EMBEDDINGS_BASE_URL", "string", "(none)",
        "OpenAI-compatible API base for embeddings; unset uses the built-in offline embedder."},
       String(&Config::embeddings_base_url)},
      {{"embeddings_api_key", "PARLEY_EMBEDDINGS_API_KEY", "string", "(none)", "Bearer key for the embeddings API.",
        true},
       String(&Config::embeddings_api_key)},
      {{"embeddings_model", "PARLEY_EMBEDDINGS_MODEL", "string", "text-embedding-3-small", "Embeddings model name."},
       String(&Config::embeddings_model)},
      {{"dictionary_dir", "PARLEY_DICTIONARY_DIR", "string", "/usr/share/dictd",
        "Directory of the FreeDict bilingual dictionaries (dictd format, Debian's dict-freedict-* packages) with "
        "which an offline question in another language than the knowledge's is searched in the knowledge's: "
        "`freedict-fra-eng.index` and `.dict.dz`, and so on. A language pair without its files is searched "
        "untranslated. Each dictionary is loaded on the first question that needs it."},
       String(&Config::dictionary_dir)},
      {{"responder", "PARLEY_RESPONDER", "string", "agent",
        "What answers customers: `agent` (the AI agent, grounded in the tenant's knowledge) or `away_message` "
        "(always PARLEY_AUTO_REPLY_TEXT)."},
       String(&Config::responder)},
      {{"human_idle_minutes", "PARLEY_HUMAN_IDLE_MINUTES", "integer", "60",
        "A conversation handed to people returns to the bot after this long without a person's reply; 0 waits "
        "until it is handed back."},
       Integer(&Config::human_idle_minutes, 0, 525600)},
      {{"events_keepalive_ms", "PARLEY_EVENTS_KEEPALIVE_MS", "integer", "15000",
        "An event stream (GET /api/events) with nothing to send writes a keepalive comment this often, and reads the "
        "event log again then (events written by another process arrive within this long)."},
       Integer(&Config::events_keepalive_ms, 10, 600000)},
      {{"events_retention_hours", "PARLEY_EVENTS_RETENTION_HOURS", "integer", "24",
        "The event log keeps events this long for dashboards that reconnect; one offline longer refetches."},
       Integer(&Config::events_retention_hours, 1, 8760)},
      {{"events_per_tenant", "PARLEY_EVENTS_PER_TENANT", "integer", "50000",
        "The event log keeps at most this many events per tenant (the newest)."},
       Integer(&Config::events_per_tenant, 100, 100000000)},
      {{"retention_sweep_ms", "PARLEY_RETENTION_SWEEP_MS", "integer", "3600000",
        "How often messages older than their tenant's retention period (message_retention_days, PATCH /api/tenant) "
        "are deleted; also once at start-up (docs/privacy.md). The same pass sweeps media "
        "(PARLEY_MEDIA_RETENTION_DAYS) "
        "and deletes the Meta login flows that expired."},
       Integer(&Config::retention_sweep_ms, 100, 86400000)},
      {{"media_url_ttl_hours", "PARLEY_MEDIA_URL_TTL_HOURS", "integer", "24",
        "Signed links to customers' media (the `url` and `thumbnail_url` of a message's `media`) work this long; "
        "the API signs new ones at every read (docs/media.md)."},
       Integer(&Config::media_url_ttl_hours, 1, 720)},
      {{"media_retention_days", "PARLEY_MEDIA_RETENTION_DAYS", "integer", "0",
        "Customers' media files are deleted this many days after they came (the message stays, its media `failed` "
        "with the reason); 0 keeps them as long as their message. Swept with the messages' retention."},
       Integer(&Config::media_retention_days, 0, 36500)},
      {{"media_max_pixels", "PARLEY_MEDIA_MAX_PIXELS", "integer", "40000000",
        "An image whose header declares more pixels than this (width x height x frames) is not decoded: it is "
        "kept, without a thumbnail or a copy for the agent."},
       Integer(&Config::media_max_pixels, 1000000, 500000000)},
      {{"media_fetch_attempts", "PARLEY_MEDIA_FETCH_ATTEMPTS", "integer", "5",
        "Downloads of a customer's media tried before it is marked `failed`."},
       Integer(&Config::media_fetch_attempts, 1, 50)},
      {{"media_retry_base_ms", "PARLEY_MEDIA_RETRY_BASE_MS", "integer", "10000",
        "The wait after a media download's first failure; each later one waits twice as long."},
       Integer(&Config::media_retry_base_ms, 10, 3600000)},
      {{"media_wait_ms", "PARLEY_MEDIA_WAIT_MS", "integer", "60000",
        "A burst holding a customer's media that is still being fetched, transcribed or read waits for it (it is "
        "answered as soon as the media is done) at most this long after the media's message came; then it is "
        "answered with what is known."},
       Integer(&Config::media_wait_ms, 0, 3600000)},
      {{"transcription_base_url", "PARLEY_TRANSCRIPTION_BASE_URL", "string", "(none)",
        "OpenAI-compatible API base (`https://api.openai.com/v1`, Groq's, a local Whisper server) whose "
        "POST /audio/transcriptions turns customers' voice notes into text before the agent answers; unset, a voice "
        "note is answered with the audio notice asking the customer to write (docs/media.md)."},
       String(&Config::transcription_base_url)},
      {{"transcription_api_key", "PARLEY_TRANSCRIPTION_API_KEY", "string", "(none)",
        "Bearer key for the transcription endpoint.", true},
       String(&Config::transcription_api_key)},
      {{"transcription_model", "PARLEY_TRANSCRIPTION_MODEL", "string", "whisper-1",
        "Model name sent to the transcription endpoint."},
       String(&Config::transcription_model)},
      {{"transcription_timeout_ms", "PARLEY_TRANSCRIPTION_TIMEOUT_MS", "integer", "60000",
        "Time allowed for one transcription call (each of its 3 attempts)."},
       Integer(&Config::transcription_timeout_ms, 100, 600000)},
      {{"ocr_languages", "PARLEY_OCR_LANGUAGES", "string", "eng+fra+deu+spa",
        "Tesseract languages the text in customers' photos is read in (`+`-separated; each needs Debian's "
        "tesseract-ocr-<lang> package); empty reads no text from images."},
       String(&Config::ocr_languages)},
      {{"session_ttl_hours", "PARLEY_SESSION_TTL_HOURS", "integer", "168",
        "How long a login session (POST /api/auth/login) stays valid."},
       Integer(&Config::session_ttl_hours, 1, 8760)},
      {{"smtp_url", "PARLEY_SMTP_URL", "string", "(none)",
        "The mail server Parley sends e-mail through (invitations, password reset links, escalation notices): "
        "`smtp://host:587` (STARTTLS required, except on loopback) or `smtps://host:465` (TLS from the start). "
        "Unset: no e-mail; invitations give a link to copy and `parley user reset-password` prints reset links."},
       String(&Config::smtp_url)},
      {{"smtp_user", "PARLEY_SMTP_USER", "string", "(none)", "User name for SMTP AUTH; unset sends without AUTH."},
       String(&Config::smtp_user)},
      {{"smtp_password", "PARLEY_SMTP_PASSWORD", "string", "(none)", "Password for SMTP AUTH.", true},
       String(&Config::smtp_password)},
      {{"smtp_from", "PARLEY_SMTP_FROM", "string", "(none; required with PARLEY_SMTP_URL)",
        "The sender of Parley's e-mails: `Parley <noreply@example.com>` or an address alone."},
       String(&Config::smtp_from)},
      {{"smtp_retry_base_ms", "PARLEY_SMTP_RETRY_BASE_MS", "integer", "30000",
        "An e-mail the mail server did not take (unreachable, a 4xx answer) is sent again after this long, then "
        "after twice as long each time (at most an hour apart), for 24 hours; a 5xx answer fails it at once. Each "
        "e-mail's state shows in the API (an invitation's `email`)."},
       Integer(&Config::smtp_retry_base_ms, 10, 3600000)},
      {{"login_per_address_per_minute", "PARLEY_LOGIN_PER_ADDRESS_PER_MINUTE", "integer", "30",
        "Login attempts allowed per minute from one client address (a token bucket, checked before any password "
        "is hashed); beyond it 429 with Retry-After. 0 disables the limit."},
       Integer(&Config::login_per_address_per_minute, 0, 1000000)},
      {{"login_per_address_burst", "PARLEY_LOGIN_PER_ADDRESS_BURST", "integer", "10",
        "Login attempts allowed at once from one client address before the per-minute rate applies."},
       Integer(&Config::login_per_address_burst, 1, 1000000)},
      {{"login_per_second", "PARLEY_LOGIN_PER_SECOND", "integer", "10",
        "Login attempts allowed per second over all clients (a token bucket, checked before any password is "
        "hashed); beyond it 429 with Retry-After. 0 disables the limit."},
       Integer(&Config::login_per_second, 0, 1000000)},
      {{"login_burst", "PARLEY_LOGIN_BURST", "integer", "20",
        "Login attempts allowed at once over all clients before the per-second rate applies."},
       Integer(&Config::login_burst, 1, 1000000)},
      {{"password_hash_threads", "PARLEY_PASSWORD_HASH_THREADS", "integer", "1",
        "Threads (at a lower CPU priority) that hash and check passwords (Argon2id), apart from the blocking pool so "
        "that logins never hold up other work (1-16)."},
       Integer(&Config::password_hash_threads, 1, 16)},
      {{"password_hash_queue", "PARLEY_PASSWORD_HASH_QUEUE", "integer", "16",
        "Password checks that may wait for those threads; a login beyond it answers 503 with Retry-After."},
       Integer(&Config::password_hash_queue, 0, 100000)},
      {{"api_rate_per_second", "PARLEY_API_RATE_PER_SECOND", "integer", "50",
        "Tenant API requests allowed per second and tenant, on average (token bucket); 0 disables the limit. "
        "Over it the API answers 429 with Retry-After."},
       Integer(&Config::api_rate_per_second, 0, 1000000)},
      {{"api_rate_burst", "PARLEY_API_RATE_BURST", "integer", "200",
        "Tenant API requests allowed at once before the per-second rate applies."},
       Integer(&Config::api_rate_burst, 1, 1000000)},
      {{"ingest_lease_ms", "PARLEY_INGEST_LEASE_MS", "integer", "60000",
        "How long a worker holds a document it is processing; renewed as it progresses. A document whose worker "
        "died (a crash, kill -9) is taken up again once this passes."},
       Integer(&Config::ingest_lease_ms, 1000, 3600000)},
      {{"ingest_documents_in_flight", "PARLEY_INGEST_DOCUMENTS_IN_FLIGHT", "integer", "3",
        "Knowledge documents processed at once, all tenants together. Documents are taken round-robin across "
        "tenants, and one tenant holds at most all but one of these slots, so that another tenant's document "
        "starts at once even behind a queue of slow ones."},
       Integer(&Config::ingest_documents_in_flight, 1, 64)},
      {{"document_max_pages", "PARLEY_DOCUMENT_MAX_PAGES", "integer", "1000",
        "A PDF with more pages fails (\"the PDF has more than N pages\"), before any page is read."},
       Integer(&Config::document_max_pages, 1, 1000000)},
      {{"document_max_chars", "PARLEY_DOCUMENT_MAX_CHARS", "integer", "10000000",
        "A document with more characters of text fails (\"the document has more than N characters of text\"); "
        "reading stops there."},
       Integer(&Config::document_max_chars, 1000, 1000000000)},
      {{"document_cpu_seconds", "PARLEY_DOCUMENT_CPU_SECONDS", "integer", "30",
        "Processor time reading one PDF, DOCX or HTML document may take. They are read in a child process "
        "(`parley extract`) that the kernel stops past this, and that is killed after twice this plus 10 s of "
        "wall-clock time; the document fails with the reason."},
       Integer(&Config::document_cpu_seconds, 1, 3600)},
      {{"document_memory_mb", "PARLEY_DOCUMENT_MEMORY_MB", "integer", "1024",
        "Address space (RLIMIT_AS) of the child process that reads one document, its program included; an "
        "allocation past it fails that document."},
       Integer(&Config::document_memory_mb, 128, 65536)},
      {{"document_ocr_pages", "PARLEY_DOCUMENT_OCR_PAGES", "integer", "20",
        "PDF pages without a text layer (scans) whose text is read by OCR, per document; the pages past it are "
        "skipped, and the document, still indexed, says which (0 reads none)."},
       Integer(&Config::document_ocr_pages, 0, 1000000)},
      {{"document_ocr_seconds", "PARLEY_DOCUMENT_OCR_SECONDS", "integer", "20",
        "Processor time reading the text of one document by OCR (an image, or a PDF's scanned pages) may take; "
        "a PDF's pages left are then skipped and the document says which, an image fails. Keep it below "
        "`document_cpu_seconds`, which stops the whole document."},
       Integer(&Config::document_ocr_seconds, 1, 3600)},
      {{"default_plan", "PARLEY_DEFAULT_PLAN", "string", "`free` with billing on, else `self-hosted`",
        "Plan of every tenant not put on another one (by `parley tenant plan` or a Stripe subscription); one of "
        "the plans in GET /api/plans. `self-hosted` has every feature and no quota or channel limit."},
       String(&Config::default_plan)},
      {{"prompt_tokens_per_credit", "PARLEY_PROMPT_TOKENS_PER_CREDIT", "integer", "1000",
        "Credits an AI reply costs: its prompt tokens divided by this, plus its completion tokens divided by "
        "PARLEY_COMPLETION_TOKENS_PER_CREDIT, rounded up."},
       Integer(&Config::prompt_tokens_per_credit, 1, 100000000)},
      {{"completion_tokens_per_credit", "PARLEY_COMPLETION_TOKENS_PER_CREDIT", "integer", "250",
        "See PARLEY_PROMPT_TOKENS_PER_CREDIT (completion tokens cost more, as at model vendors)."},
       Integer(&Config::completion_tokens_per_credit, 1, 100000000)},
      {{"min_reply_credits", "PARLEY_MIN_REPLY_CREDITS", "integer", "1",
        "Least credits an AI answer costs, also what one answered offline (no tokens) costs; what the quota "
        "check reserves for a reply being produced."},
       Integer(&Config::min_reply_credits, 0, 1000000)},
      {{"image_notice", "PARLEY_IMAGE_NOTICE", "string", std::string(kDefaultImageNotice),
        "Plain text sent instead of an AI answer to an image (or sticker) when the tenant's plan has no images: the "
        "English text; other languages have their own (docs/languages.md), and tenants may set theirs."},
       String(&Config::image_notice)},
      {{"audio_notice", "PARLEY_AUDIO_NOTICE", "string", std::string(kDefaultAudioNotice),
        "Plain text sent instead of an AI answer to an audio or voice message when the plan has no audio, or when no "
        "transcript of it could be made (no PARLEY_TRANSCRIPTION_BASE_URL, or transcription failed): the English "
        "text, as for PARLEY_IMAGE_NOTICE."},
       String(&Config::audio_notice)},
      {{"contact_replies_per_minute", "PARLEY_CONTACT_REPLIES_PER_MINUTE", "integer", "6",
        "AI replies one contact may receive per minute (a token bucket); beyond it the conversation goes to a "
        "person, silently (reason `rate_limited`). 0: no limit."},
       Integer(&Config::contact_replies_per_minute, 0, 100000)},
      {{"contact_replies_burst", "PARLEY_CONTACT_REPLIES_BURST", "integer", "10",
        "AI replies one contact may receive in a row before the per-minute rate applies."},
       Integer(&Config::contact_replies_burst, 1, 100000)},
      {{"stripe_secret_key", "STRIPE_SECRET_KEY", "string", "(none)",
        "Stripe API secret key (`sk_…`). Billing is on when it and STRIPE_WEBHOOK_SECRET are both set: tenants "
        "then start on the `free` plan and pay through Stripe.",
        true},
       String(&Config::stripe_secret_key)},
      {{"stripe_webhook_secret", "STRIPE_WEBHOOK_SECRET", "string", "(none)",
        "Signing secret (`whsec_…`) of the Stripe webhook endpoint POST /api/stripe/webhook; unset rejects every "
        "delivery.",
        true},
       String(&Config::stripe_webhook_secret)},
      {{"stripe_price_plans", "PARLEY_STRIPE_PRICE_PLANS", "string", "(none)",
        "Stripe prices and the plans they buy: `price_123=pro,price_456=business`."},
       String(&Config::stripe_price_plans)},
      {{"stripe_api_base_url", "PARLEY_STRIPE_API_BASE_URL", "string", "https://api.stripe.com",
        "Stripe's API, where Checkout and Customer Portal sessions are created (tests point it at a fake)."},
       HttpUrl(&Config::stripe_api_base_url)},
      {{"connect_timeout_ms", "PARLEY_CONNECT_TIMEOUT_MS", "integer", "5000",
        "Outbound calls: time allowed to connect (and finish TLS)."},
       Integer(&Config::connect_timeout_ms, 10, 600000)},
      {{"read_timeout_ms", "PARLEY_READ_TIMEOUT_MS", "integer", "10000",
        "Outbound calls: time allowed to read the response."},
       Integer(&Config::read_timeout_ms, 10, 600000)},
      {{"write_timeout_ms", "PARLEY_WRITE_TIMEOUT_MS", "integer", "5000",
        "Outbound calls: time allowed to write the request."},
       Integer(&Config::write_timeout_ms, 10, 600000)},
      {{"outbound_allow", "PARLEY_OUTBOUND_ALLOW", "string", "(none)",
        "Internal destinations that URLs a tenant supplies (knowledge pages, its own model endpoints) may reach, as "
        "comma-separated CIDR blocks, addresses and host names (`10.20.0.0/16, wiki.internal`). Without it such "
        "URLs reach public addresses only: loopback, private, link-local (cloud metadata), carrier-grade NAT, "
        "unique-local, multicast and reserved addresses are refused. The operator's own URLs (this table) may "
        "point anywhere."},
       String(&Config::outbound_allow)},
      {{"webhook_timeout_ms", "PARLEY_WEBHOOK_TIMEOUT_MS", "integer", "10000",
        "Outbound webhooks (docs/webhooks.md): time an endpoint has to answer a delivery; no answer counts as a "
        "failure and is retried."},
       Integer(&Config::webhook_timeout_ms, 100, 120000)},
      {{"webhook_concurrency", "PARLEY_WEBHOOK_CONCURRENCY", "integer", "8",
        "Outbound webhook deliveries sent at once, all tenants together (one endpoint gets at most 2 of them)."},
       Integer(&Config::webhook_concurrency, 1, 256)},
      {{"webhook_retry_base_ms", "PARLEY_WEBHOOK_RETRY_BASE_MS", "integer", "30000",
        "A delivery that got no 2xx answer is sent again after about this long, then after twice as long each "
        "time (with jitter), up to PARLEY_WEBHOOK_RETRY_MAX_MS apart."},
       Integer(&Config::webhook_retry_base_ms, 10, 3600000)},
      {{"webhook_retry_max_ms", "PARLEY_WEBHOOK_RETRY_MAX_MS", "integer", "3600000",
        "The longest wait between two attempts of a webhook delivery."},
       Integer(&Config::webhook_retry_max_ms, 10, 86400000)},
      {{"webhook_retry_hours", "PARLEY_WEBHOOK_RETRY_HOURS", "integer", "24",
        "A webhook delivery is retried for this long after it was made; then it is marked failed."},
       Integer(&Config::webhook_retry_hours, 1, 168)},
      {{"log_level", "PARLEY_LOG_LEVEL", "string", "info", "Log threshold: trace, debug, info, warn or error."},
       OneOf(&Config::log_level, {"trace", "debug", "info", "warn", "error"})},
  };
  return entries;
}

Result<void> Apply(Config& config, const Entry& entry, const std::string& value, std::string_view source) {
  auto r = entry.set(config, value);
  if (!r) {
    // Secrets are never echoed, not even in a validation error.
    return Error::InvalidArgument(std::string(source) + " " +
                                  (source == "environment variable" ? entry.key.env : entry.key.name) + ": " +
                                  r.error().message);
  }
  return Ok();
}

// The table's entries followed by the platforms' keys, each kept as a string in Config::platform_settings; an
// "integer" key must be a positive integer (the platforms read rates and limits from theirs).
std::vector<Entry> AllEntries(std::span<const ConfigKey> platform_keys) {
  std::vector<Entry> entries = Entries();
  for (const ConfigKey& key : platform_keys) {
    entries.push_back(
        {key, [name = key.name, integer = key.type == "integer"](Config& c, const std::string& v) -> Result<void> {
           int64_t parsed = 0;
           auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), parsed);
           if (integer && (ec != std::errc() || end != v.data() + v.size() || parsed <= 0)) {
             return Error::InvalidArgument("must be a positive integer");
           }
           c.platform_settings[name] = v;
           return Ok();
         }});
  }
  return entries;
}

}  // namespace

std::vector<ConfigKey> ConfigKeys(std::span<const ConfigKey> platform_keys) {
  std::vector<ConfigKey> out;
  for (const auto& e : AllEntries(platform_keys)) out.push_back(e.key);
  return out;
}

std::string_view Config::PlatformSetting(std::string_view key) const {
  auto it = platform_settings.find(key);
  return it == platform_settings.end() ? std::string_view() : std::string_view(it->second);
}

EnvLookup ProcessEnv() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  };
}

std::string Config::SqlitePath() const {
  constexpr std::string_view kScheme = "sqlite://";
  if (database_url.rfind(kScheme, 0) != 0) return {};
  return database_url.substr(kScheme.size());
}

Result<Config> LoadConfig(const EnvLookup& env, std::optional<std::string> toml_path,
                          std::span<const ConfigKey> platform_keys) {
  const std::vector<Entry> entries = AllEntries(platform_keys);
  Config config;
  config.auto_reply_text = std::string(kDefaultAutoReply);
  config.image_notice = std::string(kDefaultImageNotice);
  config.audio_notice = std::string(kDefaultAudioNotice);
  if (!toml_path) toml_path = env("PARLEY_CONFIG");
  if (toml_path && !toml_path->empty()) {
    toml::table table;
    try {
      table = toml::parse_file(*toml_path);
    } catch (const toml::parse_error& e) {
      std::ostringstream where;
      where << e.source().begin;
      return Error::InvalidArgument("config file " + *toml_path + ": " + std::string(e.description()) + " at " +
                                    where.str());
    }
    for (const auto& [key, node] : table) {
      const Entry* entry = nullptr;
      for (const auto& e : entries) {
        if (e.key.name == key.str()) entry = &e;
      }
      if (entry == nullptr)
        return Error::InvalidArgument("config file " + *toml_path + ": unknown key '" + std::string(key.str()) + "'");
      std::string value;
      if (auto s = node.value<std::string>(); s && node.is_string()) {
        value = *s;
      } else if (auto i = node.value<int64_t>(); i && node.is_integer()) {
        value = std::to_string(*i);
      } else if (auto b = node.value<bool>(); b && node.is_boolean()) {
        value = *b ? "true" : "false";
      } else {
        return Error::InvalidArgument("config file " + *toml_path + ": key '" + std::string(key.str()) +
                                      "' must be a string, an integer or a boolean");
      }
      if (auto r = Apply(config, *entry, value, "config key"); !r) return r.error();
    }
  }
  for (const auto& entry : entries) {
    if (auto value = env(entry.key.env)) {
      if (auto r = Apply(config, entry, *value, "environment variable"); !r) return r.error();
    }
  }
  if (config.database_url.empty()) config.database_url = "sqlite://" + config.data_dir + "/parley.db";
  if (config.web_dir.empty()) config.web_dir = DefaultWebDir();
  if (config.default_plan.empty()) config.default_plan = config.BillingEnabled() ? "free" : "self-hosted";
  // The away message goes out as one message on every platform: Instagram's limit (1,000 characters) bounds it.
  if (config.auto_reply_text.size() > 1000) {
    return Error::InvalidArgument("PARLEY_AUTO_REPLY_TEXT must be at most 1000 bytes (Instagram's message limit)");
  }
  if (config.responder != "agent" && config.responder != "away_message") {
    return Error::InvalidArgument("PARLEY_RESPONDER must be agent or away_message");
  }
  if (config.role != "all" && config.redis_url.empty()) {
    return Error::InvalidArgument("PARLEY_ROLE=" + config.role +
                                  " needs PARLEY_REDIS_URL: gateways hand conversations to workers through Redis");
  }
  if (config.batch_max_wait_ms < config.batch_window_ms) {
    return Error::InvalidArgument("PARLEY_BATCH_MAX_WAIT_MS must not be smaller than PARLEY_BATCH_WINDOW_MS");
  }
  if (config.send_retry_max_ms < config.send_retry_base_ms) {
    return Error::InvalidArgument("PARLEY_SEND_RETRY_MAX_MS must not be smaller than PARLEY_SEND_RETRY_BASE_MS");
  }
  if (config.tls_cert.empty() != config.tls_key.empty()) {
    return Error::InvalidArgument("PARLEY_TLS_CERT and PARLEY_TLS_KEY must be set together (" +
                                  std::string(config.tls_cert.empty() ? "PARLEY_TLS_KEY" : "PARLEY_TLS_CERT") +
                                  " alone is set)");
  }
  if (!config.smtp_url.empty() && config.smtp_from.find('@') == std::string::npos) {
    return Error::InvalidArgument("PARLEY_SMTP_FROM must be set to an address when PARLEY_SMTP_URL is");
  }
  return config;
}

std::string ConfigMarkdown(std::span<const ConfigKey> platform_keys) {
  std::string out =
      "# Configuration\n\n"
      "<!-- Generated by `parley config docs` from the table in src/core/config.cpp; a unit test keeps it in step. "
      "-->\n\n"
      "Parley reads its settings from environment variables and, optionally, a TOML file named by `--config FILE` or\n"
      "`PARLEY_CONFIG` whose keys are the TOML names below (flat, e.g. `batch_window_ms = 1500`). An environment\n"
      "variable wins over the file, the file over the default. Unknown keys and out-of-range values stop start-up "
      "with\n"
      "a message naming the key. Secret values are never printed or logged.\n\n"
      "| Environment variable | TOML key | Type | Default | Description |\n"
      "|---|---|---|---|---|\n";
  for (const auto& k : ConfigKeys(platform_keys)) {
    out += "| `" + k.env + "` | `" + k.name + "` | " + k.type + (k.secret ? " (secret)" : "") + " | " + k.default_doc +
           " | " + k.description + " |\n";
  }
  return out;
}

std::vector<std::string_view> SplitListSetting(std::string_view list) {
  std::vector<std::string_view> entries;
  while (!list.empty()) {
    const size_t comma = list.find(',');
    std::string_view entry = list.substr(0, comma);
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
    while (!entry.empty() && (entry.front() == ' ' || entry.front() == '\t')) entry.remove_prefix(1);
    while (!entry.empty() && (entry.back() == ' ' || entry.back() == '\t')) entry.remove_suffix(1);
    if (!entry.empty()) entries.push_back(entry);
  }
  return entries;
}

}  // namespace parley
