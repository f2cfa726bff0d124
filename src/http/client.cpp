#include "http/client.h"

#include "core/log.h"
#include "core/metrics.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/url/parse.hpp>

#include <algorithm>
#include <cctype>
#include <ctime>
#include <iomanip>
#include <mutex>
#include <optional>
#include <sstream>

namespace parley::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace ssl = boost::asio::ssl;
using tcp = asio::ip::tcp;
using boost::system::error_code;
using std::chrono::milliseconds;

constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);

using OutgoingRequest = bhttp::request<bhttp::string_body>;

// Where a URL points, split into what connecting, pooling, the request line and the logs each need.
struct Origin {
  bool tls = false;
  std::string host;         // Name or address to connect to; IPv6 without brackets.
  bool host_is_ip = false;  // Then no DNS look-up.
  std::string port;
  std::string pool_key;     // scheme://host:port
  std::string host_header;  // As written in the URL, port included when given.
  std::string target;       // Path and query for the request line.
  std::string log_name;     // scheme://host[:port]/path: the query may carry tokens and stays out of errors.
  bool tenant = false;      // The address policy applies.
};

Result<Origin> ParseUrl(std::string_view url, UrlSource source) {
  auto parsed = boost::urls::parse_absolute_uri(url);
  if (!parsed) return Error::InvalidArgument("malformed URL");
  Origin origin;
  origin.tenant = source == UrlSource::kTenant;
  // Credentials in a URL a tenant typed serve no page Parley should fetch, and they hide the real host from a
  // reader ("https://trusted.example@127.0.0.1/").
  if (origin.tenant && parsed->has_userinfo()) return Error::InvalidArgument("URLs with user info are not accepted");
  const std::string scheme(parsed->scheme());
  if (scheme == "https") {
    origin.tls = true;
  } else if (scheme != "http") {
    return Error::InvalidArgument("unsupported URL scheme");
  }
  switch (parsed->host_type()) {
    case boost::urls::host_type::ipv4:
    case boost::urls::host_type::ipv6:
      origin.host = parsed->host_address();
      origin.host_is_ip = true;
      break;
    case boost::urls::host_type::name:
      origin.host = parsed->host_name();
      break;
    default:
      return Error::InvalidArgument("URL has no usable host");
  }
  if (origin.host.empty()) return Error::InvalidArgument("URL has no host");
  origin.port = parsed->has_port() ? std::string(parsed->port()) : (origin.tls ? "443" : "80");
  // A connection the operator's request opened to a name (say a model server on localhost) must never carry a
  // tenant's request, which was not checked against it.
  origin.pool_key = std::string(origin.tenant ? "tenant " : "") + scheme + "://" + origin.host + ":" + origin.port;
  origin.host_header = parsed->encoded_host_and_port();
  origin.target = parsed->encoded_path().empty() ? "/" : std::string(parsed->encoded_path());
  origin.log_name = scheme + "://" + std::string(parsed->encoded_host_and_port()) + origin.target;
  if (parsed->has_query()) origin.target += "?" + std::string(parsed->encoded_query());
  return origin;
}

// One connection to one origin, used by one request at a time. Its operations run on its own strand because
// tcp_stream's deadline timer and socket completions must not race on a multi-threaded io_context.
struct Connection {
  Connection(asio::any_io_executor strand, ssl::context* tls_context) : executor(std::move(strand)) {
    if (tls_context != nullptr) {
      tls.emplace(executor, *tls_context);
    } else {
      plain.emplace(executor);
    }
  }
  beast::tcp_stream& Lowest() { return tls ? beast::get_lowest_layer(*tls) : *plain; }

  asio::any_io_executor executor;
  std::optional<beast::tcp_stream> plain;
  std::optional<beast::ssl_stream<beast::tcp_stream>> tls;
  beast::flat_buffer buffer;
};

// What one attempt produced: a response, or the failure and the step it happened in.
struct AttemptOutcome {
  std::optional<ClientResponse> response;
  bool reusable = false;  // The connection may go back to the pool.
  error_code error;
  bool timed_out = false;
  bool got_bytes = false;  // Some of a response arrived before the failure.
  std::string step;
  std::optional<Error> refused;  // The address policy refused a tenant URL's destination: nothing was sent.
};

AttemptOutcome Failed(error_code error, std::string step, bool timed_out = false) {
  AttemptOutcome outcome;
  outcome.error = error;
  outcome.timed_out = timed_out || error == beast::error::timeout;
  outcome.step = std::move(step);
  return outcome;
}

// A pooled connection is usable when its socket has nothing to read: data or end-of-file on an idle HTTP
// connection means the peer closed it (or sent a TLS close_notify).
bool LooksAlive(Connection& connection) {
  tcp::socket& socket = connection.Lowest().socket();
  error_code ec;
  socket.non_blocking(true, ec);
  if (ec) return false;
  char byte;
  socket.receive(asio::buffer(&byte, 1), tcp::socket::message_peek, ec);
  return ec == asio::error::would_block;
}

// The addresses to connect to: the URL's literal address, or every address its name resolves to before
// `deadline`, each checked against the policy when the URL is a tenant's. Runs on a strand (the resolver and its
// timer share `expired`).
asio::awaitable<AttemptOutcome> Resolve(const Origin& origin, asio::steady_timer::time_point deadline,
                                        const OutboundAllowList& tenant_allow, std::vector<tcp::endpoint>& endpoints) {
  auto executor = co_await asio::this_coro::executor;
  if (origin.host_is_ip) {
    error_code ec;
    auto address = asio::ip::make_address(origin.host, ec);
    if (ec) co_return Failed(ec, "resolve");
    endpoints.emplace_back(address, static_cast<uint16_t>(std::stoi(origin.port)));
  } else {
    // The resolver has no deadline of its own: a timer on the same strand cancels it. The timer's handler owns what
    // it touches: when the look-up completes just as the deadline passes, the handler is already queued, cancelling
    // the timer cannot recall it, and it runs after this frame is gone.
    struct Lookup {
      explicit Lookup(const asio::any_io_executor& executor) : resolver(executor) {}
      tcp::resolver resolver;
      bool expired = false;
    };
    auto lookup = std::make_shared<Lookup>(executor);
    asio::steady_timer timer(executor, deadline);
    timer.async_wait([lookup](error_code ec) {
      if (ec) return;
      lookup->expired = true;
      lookup->resolver.cancel();
    });
    auto [ec, results] = co_await lookup->resolver.async_resolve(origin.host, origin.port, kNoThrow);
    timer.cancel();
    if (ec) co_return Failed(ec, "resolve", lookup->expired);
    for (const auto& entry : results) endpoints.push_back(entry.endpoint());
  }
  if (origin.tenant) {
    // One refused address refuses the URL: connecting tries the addresses in turn, so any of them could be used.
    for (const tcp::endpoint& endpoint : endpoints) {
      if (auto checked = CheckTenantDestination(tenant_allow, origin.host, endpoint.address()); !checked) {
        AttemptOutcome outcome;
        outcome.refused = std::move(checked.error());
        outcome.step = "address policy";
        co_return outcome;
      }
    }
  }
  co_return AttemptOutcome{};
}

// Resolves and connects (and handshakes for https) within connect_timeout, to the addresses Resolve checked.
// Runs on the connection's strand.
asio::awaitable<AttemptOutcome> Connect(Connection& connection, const Origin& origin, const ClientOptions& options) {
  const auto deadline = asio::steady_timer::clock_type::now() + options.connect_timeout;
  std::vector<tcp::endpoint> endpoints;
  AttemptOutcome resolved = co_await Resolve(origin, deadline, options.tenant_allow, endpoints);
  if (resolved.error || resolved.refused) co_return resolved;

  beast::tcp_stream& stream = connection.Lowest();
  stream.expires_at(deadline);
  auto [connect_ec, endpoint] = co_await stream.async_connect(endpoints, kNoThrow);
  if (connect_ec) co_return Failed(connect_ec, "connect");
  error_code ignored;
  stream.socket().set_option(tcp::no_delay(true), ignored);

  if (connection.tls) {
    // SNI, so virtual hosts present the right certificate, and a check that the certificate names this host.
    if (!SSL_set_tlsext_host_name(connection.tls->native_handle(), origin.host.c_str())) {
      co_return Failed(error_code(static_cast<int>(::ERR_get_error()), asio::error::get_ssl_category()), "tls");
    }
    connection.tls->set_verify_callback(ssl::host_name_verification(origin.host));
    stream.expires_at(deadline);
    auto [handshake_ec] = co_await connection.tls->async_handshake(ssl::stream_base::client, kNoThrow);
    if (handshake_ec) co_return Failed(handshake_ec, "tls handshake");
  }
  co_return AttemptOutcome{};
}

template <class Stream>
asio::awaitable<AttemptOutcome> Exchange(Stream& stream, Connection& connection, const OutgoingRequest& request,
                                         const ClientOptions& options, milliseconds read_timeout) {
  connection.Lowest().expires_after(options.write_timeout);
  auto [write_ec, written] = co_await bhttp::async_write(stream, request, kNoThrow);
  if (write_ec) co_return Failed(write_ec, "write");

  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(options.max_response_bytes);
  if (request.method() == bhttp::verb::head) parser.skip(true);
  connection.Lowest().expires_after(read_timeout);
  auto [read_ec, read] = co_await bhttp::async_read(stream, connection.buffer, parser, kNoThrow);
  if (read_ec) {
    AttemptOutcome outcome = Failed(read_ec, "read");
    outcome.got_bytes = parser.got_some();
    co_return outcome;
  }

  auto message = parser.release();
  AttemptOutcome outcome;
  outcome.reusable = message.keep_alive() && !message.need_eof() && connection.buffer.size() == 0;
  ClientResponse& response = outcome.response.emplace();
  response.status = static_cast<int>(message.result_int());
  for (const auto& field : message) {
    std::string name(field.name_string());
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
    auto [it, inserted] = response.headers.emplace(std::move(name), field.value());
    if (!inserted) it->second.append(", ").append(field.value());
  }
  response.body = std::move(message.body());
  co_return outcome;
}

// Connects when asked, then sends and reads. Runs on the connection's strand.
asio::awaitable<AttemptOutcome> RunOnConnection(Connection& connection, const Origin& origin,
                                                const OutgoingRequest& request, const ClientOptions& options,
                                                milliseconds read_timeout, bool connect) {
  if (connect) {
    AttemptOutcome connected = co_await Connect(connection, origin, options);
    if (connected.error || connected.refused) co_return connected;
  }
  if (connection.tls) co_return co_await Exchange(*connection.tls, connection, request, options, read_timeout);
  co_return co_await Exchange(*connection.plain, connection, request, options, read_timeout);
}

// Retry-After is either delta-seconds or an HTTP-date (RFC 9110 §10.2.3).
std::optional<milliseconds> ParseRetryAfter(std::string_view value) {
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  if (value.empty()) return std::nullopt;
  if (std::all_of(value.begin(), value.end(), [](unsigned char c) { return std::isdigit(c); })) {
    if (value.size() > 9) return milliseconds::max();
    return milliseconds(std::stoll(std::string(value)) * 1000);
  }
  std::tm tm{};
  std::istringstream in{std::string(value)};
  in.imbue(std::locale::classic());
  in >> std::get_time(&tm, "%a, %d %b %Y %H:%M:%S");
  if (in.fail()) return std::nullopt;
  const auto at = std::chrono::system_clock::from_time_t(::timegm(&tm));
  const auto delta = std::chrono::duration_cast<milliseconds>(at - std::chrono::system_clock::now());
  return std::max(delta, milliseconds(0));
}

}  // namespace

struct Client::State {
  State(asio::any_io_executor executor_in, ClientOptions options_in)
      : executor(std::move(executor_in)),
        options(std::move(options_in)),
        ok(Outcome("ok")),
        http_error(Outcome("http_error")),
        network_error(Outcome("network_error")),
        timeout(Outcome("timeout")),
        refused(Outcome("refused")) {}

  // Loading the system CA store takes tens of milliseconds: only clients that reach an https origin pay it.
  ssl::context* TlsContext() {
    std::call_once(tls_once, [this] {
      tls_context.emplace(ssl::context::tls_client);
      tls_context->set_default_verify_paths();
      tls_context->set_verify_mode(ssl::verify_peer);
    });
    return &*tls_context;
  }

  static metrics::Counter& Outcome(const char* outcome) {
    return metrics::Global().GetCounter("parley_http_client_requests_total", "Outbound HTTP attempts by outcome.",
                                        {{"outcome", outcome}});
  }

  // An idle connection to `key` that still looks open, or null.
  std::unique_ptr<Connection> TakeIdle(const std::string& key) {
    for (;;) {
      std::unique_ptr<Connection> connection;
      {
        std::lock_guard lock(mutex);
        auto it = idle.find(key);
        if (it == idle.end() || it->second.empty()) return nullptr;
        connection = std::move(it->second.back());
        it->second.pop_back();
      }
      if (LooksAlive(*connection)) return connection;
    }
  }

  void Release(const std::string& key, std::unique_ptr<Connection> connection) {
    std::lock_guard lock(mutex);
    if (shut_down) return;
    auto& connections = idle[key];
    if (connections.size() < options.max_idle_per_host) connections.push_back(std::move(connection));
  }

  asio::awaitable<AttemptOutcome> Attempt(const Origin& origin, const OutgoingRequest& request,
                                          milliseconds read_timeout) {
    if (std::unique_ptr<Connection> connection = TakeIdle(origin.pool_key)) {
      AttemptOutcome outcome = co_await asio::co_spawn(
          connection->executor, RunOnConnection(*connection, origin, request, options, read_timeout, false),
          asio::use_awaitable);
      if (outcome.response || outcome.timed_out || outcome.got_bytes) {
        if (outcome.reusable) Release(origin.pool_key, std::move(connection));
        co_return outcome;
      }
      // The peer closed the idle connection between the liveness check and our write: the request never
      // reached it, so a fresh connection gets it, without counting an attempt.
    }
    auto connection = std::make_unique<Connection>(asio::make_strand(executor), origin.tls ? TlsContext() : nullptr);
    AttemptOutcome outcome = co_await asio::co_spawn(
        connection->executor, RunOnConnection(*connection, origin, request, options, read_timeout, true),
        asio::use_awaitable);
    if (outcome.reusable) Release(origin.pool_key, std::move(connection));
    co_return outcome;
  }

  milliseconds Backoff(int attempt) const {
    if (options.backoff.empty()) return milliseconds(0);
    size_t index = std::min(static_cast<size_t>(attempt - 1), options.backoff.size() - 1);
    return options.backoff[index];
  }

  asio::any_io_executor executor;
  const ClientOptions options;
  std::once_flag tls_once;
  std::optional<ssl::context> tls_context;  // Set once by TlsContext().
  metrics::Counter& ok;
  metrics::Counter& http_error;
  metrics::Counter& network_error;
  metrics::Counter& timeout;
  metrics::Counter& refused;

  std::mutex mutex;
  std::map<std::string, std::vector<std::unique_ptr<Connection>>> idle;  // GUARDED_BY(mutex)
  bool shut_down = false;                                                // GUARDED_BY(mutex)
};

Client::Client(asio::any_io_executor executor, ClientOptions options)
    : state_(std::make_shared<State>(std::move(executor), std::move(options))) {}

Client::~Client() { Shutdown(); }

void Client::Shutdown() {
  std::map<std::string, std::vector<std::unique_ptr<Connection>>> closing;
  std::lock_guard lock(state_->mutex);
  state_->shut_down = true;
  closing.swap(state_->idle);
}

asio::awaitable<Result<ClientResponse>> Client::Send(ClientRequest request) {
  auto state = state_;  // Keeps the pool alive if the Client goes away mid-call.
  Result<Origin> origin = ParseUrl(request.url, request.url_source);
  if (!origin) co_return origin.error();
  if (!request.log_url.empty()) origin->log_name = request.log_url;
  const bhttp::verb verb = bhttp::string_to_verb(request.method);
  if (verb == bhttp::verb::unknown) co_return Error::InvalidArgument("unsupported HTTP method");

  OutgoingRequest outgoing{verb, origin->target, 11};
  outgoing.set(bhttp::field::host, origin->host_header);
  outgoing.set(bhttp::field::user_agent, "parley");
  for (auto& [name, value] : request.headers) outgoing.insert(name, value);
  outgoing.body() = std::move(request.body);
  outgoing.keep_alive(true);
  outgoing.prepare_payload();

  const ClientOptions& options = state->options;
  const int max_attempts = std::max(1, request.max_attempts > 0 ? request.max_attempts : options.max_attempts);
  const milliseconds read_timeout =
      request.read_timeout > milliseconds(0) ? request.read_timeout : options.read_timeout;
  for (int attempt = 1;; ++attempt) {
    AttemptOutcome outcome = co_await state->Attempt(*origin, outgoing, read_timeout);
    milliseconds delay;
    if (outcome.refused) {
      state->refused.Inc();
      Error error = std::move(*outcome.refused);
      error.detail =
          request.method + " " + origin->log_name + ": refused by the outbound address policy (" + error.message + ")";
      co_return error;
    }
    if (outcome.response) {
      const int status = outcome.response->status;
      (status < 400 ? state->ok : state->http_error).Inc();
      if ((status != 429 && status < 500) || attempt >= max_attempts) {
        outcome.response->attempts = attempt;
        co_return std::move(*outcome.response);
      }
      delay = state->Backoff(attempt);
      if (auto it = outcome.response->headers.find("retry-after"); it != outcome.response->headers.end()) {
        if (auto retry_after = ParseRetryAfter(it->second)) delay = std::min(*retry_after, options.max_retry_after);
      }
      log::Debug("http_client_retry", {{"request", std::string(request.method) + " " + origin->log_name},
                                       {"status", status},
                                       {"attempt", attempt},
                                       {"delay_ms", delay.count()}});
    } else {
      (outcome.timed_out ? state->timeout : state->network_error).Inc();
      // An answer over max_response_bytes would be just as large the next time.
      if (attempt >= max_attempts || outcome.error == bhttp::error::body_limit) {
        Error error = outcome.timed_out ? Error::Timeout("the remote service did not answer in time")
                                        : Error::Unavailable("the remote service is unreachable");
        error.detail = request.method + " " + origin->log_name + ": " + outcome.step + " failed (" +
                       outcome.error.message() + ") after " + std::to_string(attempt) + " attempt(s)";
        co_return error;
      }
      delay = state->Backoff(attempt);
      log::Debug("http_client_retry", {{"request", std::string(request.method) + " " + origin->log_name},
                                       {"error", outcome.step + ": " + outcome.error.message()},
                                       {"attempt", attempt},
                                       {"delay_ms", delay.count()}});
    }
    asio::steady_timer timer(co_await asio::this_coro::executor, delay);
    co_await timer.async_wait(kNoThrow);
  }
}

asio::awaitable<Result<void>> Client::CheckTenantUrl(std::string url) {
  auto state = state_;
  Result<Origin> origin = ParseUrl(url, UrlSource::kTenant);
  if (!origin) co_return origin.error();
  const auto deadline = asio::steady_timer::clock_type::now() + state->options.connect_timeout;
  std::vector<tcp::endpoint> endpoints;
  AttemptOutcome resolved =
      co_await asio::co_spawn(asio::make_strand(state->executor),
                              Resolve(*origin, deadline, state->options.tenant_allow, endpoints), asio::use_awaitable);
  if (resolved.refused) co_return std::move(*resolved.refused);
  if (resolved.error) {
    Error error = resolved.timed_out ? Error::Timeout("the host name could not be resolved in time")
                                     : Error::Unavailable("the host name could not be resolved");
    error.detail = origin->log_name + ": " + resolved.error.message();
    co_return error;
  }
  co_return Ok();
}

}  // namespace parley::http
