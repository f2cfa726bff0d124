#include "http/server.h"

#include "core/crypto.h"
#include "core/log.h"
#include "http/tls.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/chunk_encode.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/file_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include <algorithm>
#include <exception>
#include <limits>
#include <list>
#include <mutex>
#include <optional>
#include <tuple>
#include <unordered_map>
#include <variant>

namespace parley::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace ssl = boost::asio::ssl;
using tcp = asio::ip::tcp;
using boost::system::error_code;

// Completion token that reports errors as values: a closed or timed-out connection is routine, not exceptional.
constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);

constexpr uint32_t kMaxHeaderBytes = 16 * 1024;
// After answering an error that closes the connection, unread request bytes would make the kernel reset the
// connection and the client could lose the answer; drain at most this much, for at most this long, first (nginx's
// lingering close). The bytes cover the rest of a body refused for its declared length, several times the upload
// limit: a 2 MB webhook refused at 1 MB lost its 413 now and then while only 1 MB was drained. The time bounds
// what a slow client can hold.
constexpr size_t kMaxDrainBytes = 64 << 20;
constexpr std::chrono::milliseconds kDrainTimeout{1000};

Response CloseWithError(Status status, std::string_view code, std::string_view message, unsigned version) {
  Response response = JsonResponse(status, {{"error", {{"code", code}, {"message", message}}}}, version);
  response.keep_alive(false);
  return response;
}

// How long a client refused an upload slot is asked to wait: uploads take seconds, not milliseconds.
constexpr int kUploadRetryAfterS = 5;
constexpr std::string_view kUploadFilePrefix = "upload-";

bool IsMultipart(std::string_view content_type) {
  return beast::iequals(MediaTypeOf(content_type), "multipart/form-data");
}

// Logs whatever escaped a detached coroutine: every co_spawn gets one, so nothing fails silently.
void LogEscaped(std::string_view event, std::exception_ptr error) {
  if (!error) return;
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    log::Error(event, {{"what", e.what()}});
  } catch (...) {
    log::Error(event, {{"what", "unknown exception"}});
  }
}

// True for a request the parser rejected, as opposed to a peer that went away mid-message.
bool IsMalformed(const error_code& ec) {
  return ec.category() == bhttp::make_error_code(bhttp::error::bad_target).category() &&
         ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message;
}

// The path of a target without its query, which may carry tokens (hub.verify_token) and must stay out of logs.
std::string_view PathOf(std::string_view target) { return target.substr(0, target.find('?')); }

using Clock = std::chrono::steady_clock;
constexpr Clock::rep kNoDeadline = std::numeric_limits<Clock::rep>::max();

// Bytes asked of the socket per read: a webhook or API request fits the first; uploads stream in larger reads.
constexpr size_t kHeaderReadBytes = 8 * 1024;
constexpr size_t kBodyReadBytes = 64 * 1024;

// A connection's bytes: the TCP socket itself, or TLS over it (ServerOptions::tls). Beast's and Asio's algorithms
// take it as a stream; each operation goes to the layer in use, and both complete with the same signature.
class ConnectionStream {
 public:
  using executor_type = tcp::socket::executor_type;

  ConnectionStream(tcp::socket socket, std::shared_ptr<ssl::context> tls_context)
      : tls_context_(std::move(tls_context)) {
    if (tls_context_) {
      tls_.emplace(std::move(socket), *tls_context_);
    } else {
      plain_.emplace(std::move(socket));
    }
  }

  executor_type get_executor() { return socket().get_executor(); }
  tcp::socket& socket() { return tls_ ? tls_->next_layer() : *plain_; }
  ssl::stream<tcp::socket>* tls() { return tls_ ? &*tls_ : nullptr; }

  template <class Buffers, class Token>
  auto async_read_some(const Buffers& buffers, Token&& token) {
    if (tls_) return tls_->async_read_some(buffers, std::forward<Token>(token));
    return plain_->async_read_some(buffers, std::forward<Token>(token));
  }
  template <class Buffers, class Token>
  auto async_write_some(const Buffers& buffers, Token&& token) {
    if (tls_) return tls_->async_write_some(buffers, std::forward<Token>(token));
    return plain_->async_write_some(buffers, std::forward<Token>(token));
  }

 private:
  // The context the connection was accepted with: a reload gives new connections another one, not this one.
  std::shared_ptr<ssl::context> tls_context_;
  std::optional<tcp::socket> plain_;
  std::optional<ssl::stream<tcp::socket>> tls_;
};

// The shared state of a server, outliving the Server object while connections drain.
struct ServerState {
  // Deadlines are checked by one sweep per server instead of a timer per read and write: arming and cancelling
  // a timer around every socket operation cost more than the parsing it guarded. A connection past its deadline
  // is cancelled within one sweep period.
  struct Connection {
    Connection(tcp::socket socket_in, std::shared_ptr<ssl::context> tls_context)
        : stream(std::move(socket_in), std::move(tls_context)) {}
    ConnectionStream stream;
    tcp::socket& socket() { return stream.socket(); }
    bool secured = false;  // The TLS handshake completed: a close_notify ends the connection.
    // True while a request is being read, handled or answered. Touched only on the socket's strand.
    bool busy = false;
    // True while a stream response's body runs (busy too): Stop() cancels it rather than letting it finish.
    bool streaming = false;
    // When the socket operation in progress must have finished, in Clock ticks; kNoDeadline while a handler runs.
    std::atomic<Clock::rep> deadline{kNoDeadline};

    void ExpiresAfter(std::chrono::milliseconds timeout) {
      deadline.store((Clock::now() + timeout).time_since_epoch().count(), std::memory_order_relaxed);
    }
    void NoDeadline() { deadline.store(kNoDeadline, std::memory_order_relaxed); }
  };

  ServerState(asio::any_io_executor executor_in, ServerOptions options_in, const Router& router_in)
      : executor(std::move(executor_in)),
        options(std::move(options_in)),
        router(router_in),
        acceptor(asio::make_strand(executor)),
        drain_strand(asio::make_strand(executor)),
        drained(drain_strand, asio::steady_timer::time_point::max()),
        sweep_timer(drain_strand) {}

  asio::any_io_executor executor;
  const ServerOptions options;
  const Router& router;
  tcp::acceptor acceptor;  // Used only on its own strand once Start() returns.
  uint16_t bound_port = 0;

  std::atomic<bool> stopping{false};
  std::atomic<int64_t> active{0};

  std::mutex mutex;
  std::list<std::shared_ptr<Connection>> connections;       // GUARDED_BY(mutex)
  int uploads = 0;                                          // GUARDED_BY(mutex)
  std::unordered_map<std::string, int> uploads_by_address;  // GUARDED_BY(mutex)

  // Stop() waits on `drained` on this strand; the last connection to close cancels it there. The deadline sweep
  // runs on it too.
  asio::strand<asio::any_io_executor> drain_strand;
  asio::steady_timer drained;
  asio::steady_timer sweep_timer;

  // A quarter of the shortest timeout, between 10 ms and 1 s: how late a timeout may fire.
  std::chrono::milliseconds SweepPeriod() const {
    auto shortest =
        std::min({options.header_timeout, options.body_timeout, options.idle_timeout, options.write_timeout});
    return std::clamp(shortest / 4, std::chrono::milliseconds(10), std::chrono::milliseconds(1000));
  }
};

// One body being received into a file; the slot is given back, and the file removed, when this is destroyed.
class UploadSlot {
 public:
  UploadSlot(ServerState& state, std::string key) : state_(state), key_(std::move(key)) {}
  UploadSlot(const UploadSlot&) = delete;
  UploadSlot& operator=(const UploadSlot&) = delete;
  ~UploadSlot() {
    if (!file.empty()) {
      std::error_code ignored;  // Already gone is fine.
      std::filesystem::remove(file, ignored);
    }
    std::lock_guard lock(state_.mutex);
    --state_.uploads;
    if (--state_.uploads_by_address[key_] <= 0) state_.uploads_by_address.erase(key_);
  }

  std::filesystem::path file;

 private:
  ServerState& state_;
  std::string key_;
};

// A slot for an upload from `key`, or the refusal to answer: 429 when this client already has its share, 503
// when the server as a whole has.
std::variant<std::unique_ptr<UploadSlot>, Response> TakeUploadSlot(ServerState& state, const std::string& key,
                                                                   unsigned version) {
  {
    std::lock_guard lock(state.mutex);
    auto mine = state.uploads_by_address.find(key);
    const int held = mine == state.uploads_by_address.end() ? 0 : mine->second;
    if (held < state.options.max_uploads_per_address && state.uploads < state.options.max_uploads) {
      ++state.uploads_by_address[key];
      ++state.uploads;
      return std::make_unique<UploadSlot>(state, key);
    }
    if (held >= state.options.max_uploads_per_address) {
      Response response = CloseWithError(Status::too_many_requests, "rate_limited",
                                         "too many uploads from this address at once, retry later", version);
      response.set(bhttp::field::retry_after, std::to_string(kUploadRetryAfterS));
      return response;
    }
  }
  Response response =
      CloseWithError(Status::service_unavailable, "unavailable", "too many uploads at once, retry later", version);
  response.set(bhttp::field::retry_after, std::to_string(kUploadRetryAfterS));
  return response;
}

// X-Forwarded-For as one list, however many header lines carried it.
std::string ForwardedFor(const RequestHeader& header) {
  std::string joined;
  auto [begin, end] = header.equal_range("X-Forwarded-For");  // Beast has no field constant for it.
  for (auto it = begin; it != end; ++it) {
    if (!joined.empty()) joined += ',';
    joined.append(it->value().data(), it->value().size());
  }
  return joined;
}

void OnConnectionClosed(const std::shared_ptr<ServerState>& state) {
  if (state->active.fetch_sub(1) == 1 && state->stopping.load()) {
    asio::post(state->drain_strand, [state] { state->drained.cancel(); });
  }
}

// Cancels the socket operation of every connection past its deadline, until the server has stopped and drained.
asio::awaitable<void> SweepDeadlines(std::shared_ptr<ServerState> state) {
  const auto period = state->SweepPeriod();
  while (!state->stopping.load() || state->active.load() > 0) {
    state->sweep_timer.expires_after(period);
    auto [ec] = co_await state->sweep_timer.async_wait(kNoThrow);
    if (ec) co_return;
    const Clock::rep now = Clock::now().time_since_epoch().count();
    std::lock_guard lock(state->mutex);
    for (const auto& connection : state->connections) {
      if (connection->deadline.load(std::memory_order_relaxed) > now) continue;
      // Only the socket's strand may touch it; the deadline is checked again there, as the operation may have
      // finished meanwhile.
      asio::post(connection->socket().get_executor(), [connection, now] {
        error_code ignored;  // The connection may have closed its socket meanwhile.
        if (connection->deadline.load(std::memory_order_relaxed) <= now) connection->socket().cancel(ignored);
      });
    }
  }
}

// Reads the socket itself, under TLS too: what is drained is thrown away, so its records need not be deciphered.
asio::awaitable<void> Drain(ServerState::Connection& connection, beast::flat_buffer& buffer) {
  error_code ec;
  connection.socket().shutdown(tcp::socket::shutdown_send, ec);
  connection.ExpiresAfter(kDrainTimeout);
  size_t drained = 0;
  while (drained < kMaxDrainBytes) {
    buffer.clear();
    auto [read_ec, n] = co_await connection.socket().async_read_some(buffer.prepare(64 * 1024), kNoThrow);
    if (read_ec) break;
    drained += n;
  }
}

// Feeds `parser` from `buffer`, reading more from the socket when it runs dry, until the header (or, when
// `whole` is true, the whole message) is parsed. The bytes of a pipelined next request stay in `buffer`. Returns
// the parser's error, or the socket's (operation_aborted once the deadline passed).
template <class Parser>
asio::awaitable<error_code> ReadMessage(ServerState::Connection& connection, beast::flat_buffer& buffer, Parser& parser,
                                        bool whole) {
  auto done = [&] { return whole ? parser.is_done() : parser.is_header_done(); };
  for (;;) {
    while (buffer.size() > 0 && !done()) {
      error_code ec;
      size_t used = parser.put(buffer.data(), ec);
      buffer.consume(used);
      if (ec == bhttp::error::need_more) break;
      if (ec) co_return ec;
    }
    if (done()) co_return error_code{};
    auto [ec, n] = co_await connection.stream.async_read_some(
        buffer.prepare(parser.is_header_done() ? kBodyReadBytes : kHeaderReadBytes), kNoThrow);
    if (ec) co_return ec;
    buffer.commit(n);
  }
}

// Writes `response` with the security headers, only its header when it answers a HEAD request (its Content-Length
// stays the body's); returns false when the connection must close afterwards.
asio::awaitable<bool> Write(ServerState& state, ServerState::Connection& connection, Response& response,
                            bool header_only = false) {
  if (state.stopping.load()) response.keep_alive(false);
  AddSecurityHeaders(response, state.options.strict_transport);
  connection.ExpiresAfter(state.options.write_timeout);
  error_code ec;
  if (header_only) {
    bhttp::response_serializer<bhttp::string_body> serializer(response);
    std::tie(ec, std::ignore) = co_await bhttp::async_write_header(connection.stream, serializer, kNoThrow);
  } else {
    std::tie(ec, std::ignore) = co_await bhttp::async_write(connection.stream, response, kNoThrow);
  }
  connection.NoDeadline();
  co_return !ec && !response.need_eof();
}

// Answers an error that ends the connection, draining what the client still sends so that it reads the answer.
asio::awaitable<void> Refuse(ServerState& state, ServerState::Connection& connection, beast::flat_buffer& buffer,
                             Response& response) {
  response.keep_alive(false);
  response.prepare_payload();
  co_await Write(state, connection, response);
  co_await Drain(connection, buffer);
}

// A stream response's writer: each Write is one chunk under the write timeout.
class ChunkWriter final : public StreamWriter {
 public:
  ChunkWriter(ServerState& state, ServerState::Connection& connection) : state_(state), connection_(connection) {}

  asio::awaitable<bool> Write(std::string_view chunk) override {
    if (failed_ || chunk.empty()) co_return !failed_;
    connection_.ExpiresAfter(state_.options.write_timeout);
    auto [ec, n] = co_await asio::async_write(
        connection_.stream, bhttp::make_chunk(asio::const_buffer(chunk.data(), chunk.size())), kNoThrow);
    connection_.NoDeadline();
    if (ec) failed_ = true;
    co_return !failed_;
  }
  bool failed() const { return failed_; }

 private:
  ServerState& state_;
  ServerState::Connection& connection_;
  bool failed_ = false;
};

asio::awaitable<void> RunStreamBody(const StreamBody& body, ChunkWriter& writer, std::string_view path) {
  try {
    co_await body(writer);
  } catch (const boost::system::system_error& e) {
    // Awaiting anything once cancelled throws operation_aborted: the stream's normal end when the server stops.
    if (e.code() != asio::error::operation_aborted)
      log::Error("http_stream_failed", {{"path", path}, {"what", e.what()}});
  } catch (const std::exception& e) {
    log::Error("http_stream_failed", {{"path", path}, {"what", e.what()}});
  }
}

// Completes when the client of a stream goes away: it sends nothing more, so a read completes only on the
// connection's end, on Stop() (which cancels it) or when a write timed out (the sweep cancels the socket).
asio::awaitable<void> WatchStreamClosed(ServerState& state, ServerState::Connection& connection,
                                        beast::flat_buffer& buffer) {
  for (;;) {
    // Stop() sets `stopping` before posting its cancellation here: checked on the strand before each read, one or
    // the other ends the watch.
    if (state.stopping.load()) co_return;
    buffer.clear();
    auto [ec, n] = co_await connection.stream.async_read_some(buffer.prepare(1024), kNoThrow);
    if (ec) co_return;
  }
}

// Sends a stream response (http.h, StreamResponse): the head, then the body's chunks until the body returns, the
// client leaves or the server stops, then the last chunk. The connection closes afterwards.
asio::awaitable<void> Stream(ServerState& state, ServerState::Connection& connection, beast::flat_buffer& buffer,
                             Response& head, const StreamBody& body, std::string_view path) {
  AddSecurityHeaders(head, state.options.strict_transport);
  bhttp::response<bhttp::empty_body> header(std::move(head.base()));
  header.chunked(true);
  header.keep_alive(false);
  connection.streaming = true;
  connection.ExpiresAfter(state.options.write_timeout);
  bhttp::response_serializer<bhttp::empty_body> serializer(header);
  auto [ec, n] = co_await bhttp::async_write_header(connection.stream, serializer, kNoThrow);
  connection.NoDeadline();
  if (ec) co_return;
  ChunkWriter writer(state, connection);
  using asio::experimental::awaitable_operators::operator||;
  // Whichever ends first cancels the other.
  co_await (RunStreamBody(body, writer, path) || WatchStreamClosed(state, connection, buffer));
  if (writer.failed()) co_return;
  connection.ExpiresAfter(state.options.write_timeout);
  co_await asio::async_write(connection.stream, bhttp::make_chunk_last(), kNoThrow);
  connection.NoDeadline();
}

// The TLS handshake of a connection accepted with a context, bounded like a request's header: a client that
// stalls in it holds the connection no longer than one that stalls in its header. True when the connection may
// read requests (always, without TLS).
asio::awaitable<bool> Handshake(ServerState& state, ServerState::Connection& connection) {
  ssl::stream<tcp::socket>* tls = connection.stream.tls();
  if (tls == nullptr) co_return true;
  connection.ExpiresAfter(state.options.header_timeout);
  auto [ec] = co_await tls->async_handshake(ssl::stream_base::server, kNoThrow);
  connection.NoDeadline();
  // Plain HTTP sent to the TLS port ends here, unanswered: the bytes are not a TLS record.
  if (ec) co_return false;
  connection.secured = true;
  co_return true;
}

// Sends TLS's close_notify, without waiting for the client's (RFC 8446 section 6.1 allows it), so that the client
// can tell the end of the connection from a truncation.
asio::awaitable<void> SendCloseNotify(ServerState& state, ServerState::Connection& connection) {
  ssl::stream<tcp::socket>* tls = connection.stream.tls();
  if (tls == nullptr || !connection.secured) co_return;
  // As if the client's close_notify had arrived: OpenSSL then writes its own and the shutdown completes.
  SSL_set_shutdown(tls->native_handle(), SSL_get_shutdown(tls->native_handle()) | SSL_RECEIVED_SHUTDOWN);
  connection.ExpiresAfter(state.options.write_timeout);
  co_await tls->async_shutdown(kNoThrow);
  connection.NoDeadline();
}

// Serves requests on one connection until it closes. Runs on the connection's strand.
asio::awaitable<void> RunConnection(std::shared_ptr<ServerState> state,
                                    std::shared_ptr<ServerState::Connection> connection) {
  std::list<std::shared_ptr<ServerState::Connection>>::iterator registration;
  {
    std::lock_guard lock(state->mutex);
    registration = state->connections.insert(state->connections.end(), connection);
  }
  const ServerOptions& options = state->options;
  beast::flat_buffer buffer;
  std::optional<bhttp::request_parser<bhttp::empty_body>> parser;
  bool first_request = true;
  asio::ip::address peer;
  {
    error_code ec;
    peer = connection->socket().remote_endpoint(ec).address();
  }

  for (;;) {
    connection->busy = false;
    // Stop() sets `stopping` before asking idle connections to close, so checking it here, on the strand, leaves
    // no window where an idle connection would miss the request.
    if (state->stopping.load()) break;
    if (first_request && !co_await Handshake(*state, *connection)) break;

    // Wait for the first bytes of the next request under the idle timeout (the header timeout for a brand-new
    // connection), then give the whole header the header timeout.
    if (buffer.size() == 0) {
      connection->ExpiresAfter(first_request ? options.header_timeout : options.idle_timeout);
      auto [ec, n] = co_await connection->stream.async_read_some(buffer.prepare(kHeaderReadBytes), kNoThrow);
      if (ec) break;
      buffer.commit(n);
    }
    connection->busy = true;
    first_request = false;

    // The header alone first: the body's type (memory or file) and whether it is read at all depend on the route.
    parser.emplace();
    parser->header_limit(kMaxHeaderBytes);
    parser->body_limit(std::max(options.max_body_bytes, options.max_upload_bytes));
    connection->ExpiresAfter(options.header_timeout);
    if (error_code header_ec = co_await ReadMessage(*connection, buffer, *parser, false)) {
      // A Content-Length over the limit fails here, before any of the body is read.
      Response response;
      if (header_ec == bhttp::error::body_limit) {
        response = CloseWithError(Status::payload_too_large, "payload_too_large", "request body too large", 11);
      } else if (header_ec == bhttp::error::header_limit) {
        response =
            CloseWithError(Status::request_header_fields_too_large, "header_too_large", "request header too large", 11);
      } else if (IsMalformed(header_ec)) {
        response = CloseWithError(Status::bad_request, "invalid_argument", "malformed HTTP request", 11);
      } else {
        break;  // The peer went away or timed out: nobody to answer.
      }
      co_await Refuse(*state, *connection, buffer, response);
      break;
    }
    connection->NoDeadline();

    const RequestHeader& header = parser->get();
    const unsigned version = header.version();
    Router::Match match = state->router.Find(header);
    match.context.client_address = ClientAddress(peer, ForwardedFor(header), options.trusted_proxies);
    const bool to_file =
        !match.refusal && match.options->body_to_file && IsMultipart(header[bhttp::field::content_type]);
    const uint64_t limit = to_file && options.max_upload_bytes > 0 ? options.max_upload_bytes : options.max_body_bytes;
    if (parser->content_length() && *parser->content_length() > limit) {
      Response response =
          CloseWithError(Status::payload_too_large, "payload_too_large", "request body too large", version);
      co_await Refuse(*state, *connection, buffer, response);
      break;
    }

    if (!match.refusal && match.options->gate) {
      std::optional<Response> refused;
      try {
        refused = co_await match.options->gate(header, match.context);
      } catch (const std::exception& e) {
        refused = ErrorResponse(Error::Internal("gate threw on " + std::string(bhttp::to_string(header.method())) +
                                                " " + std::string(PathOf(header.target())) + ": " + e.what()));
      }
      if (refused) {
        refused->version(version);
        if (parser->is_done()) {
          // No body left unread: the connection may serve the client's next request.
          refused->keep_alive(parser->get().keep_alive());
          refused->prepare_payload();
          if (!co_await Write(*state, *connection, *refused)) break;
          continue;
        }
        co_await Refuse(*state, *connection, buffer, *refused);
        break;
      }
    }

    std::unique_ptr<UploadSlot> upload;
    if (to_file) {
      auto slot = TakeUploadSlot(*state, LimitKey(match.context.client_address), version);
      if (auto* refused = std::get_if<Response>(&slot)) {
        co_await Refuse(*state, *connection, buffer, *refused);
        break;
      }
      upload = std::move(std::get<std::unique_ptr<UploadSlot>>(slot));
    }

    if (beast::iequals(header[bhttp::field::expect], "100-continue")) {
      bhttp::response<bhttp::empty_body> go_on{Status::continue_, version};
      connection->ExpiresAfter(options.write_timeout);
      auto [ec, n] = co_await bhttp::async_write(connection->stream, go_on, kNoThrow);
      if (ec) break;
    }

    // The body, into memory or into the upload's file.
    Request request;
    error_code body_ec;
    connection->ExpiresAfter(options.body_timeout);
    if (upload) {
      bhttp::request_parser<bhttp::file_body> file_parser(std::move(*parser));
      file_parser.body_limit(limit);
      const std::filesystem::path dir =
          options.upload_dir.empty() ? std::filesystem::temp_directory_path() : options.upload_dir;
      upload->file = dir / (std::string(kUploadFilePrefix) + crypto::RandomToken(12));
      file_parser.get().body().open(upload->file.c_str(), beast::file_mode::write_new, body_ec);
      if (body_ec) {
        Response response =
            ErrorResponse(Error::Internal("cannot create " + upload->file.string() + ": " + body_ec.message()));
        upload->file.clear();
        response.version(version);
        co_await Refuse(*state, *connection, buffer, response);
        break;
      }
      body_ec = co_await ReadMessage(*connection, buffer, file_parser, true);
      if (!body_ec) {
        auto message = file_parser.release();
        message.body().close();
        match.context.body_file = upload->file;
        request = Request(std::move(message.base()));
      }
    } else {
      bhttp::request_parser<bhttp::string_body> string_parser(std::move(*parser));
      string_parser.body_limit(limit);
      body_ec = co_await ReadMessage(*connection, buffer, string_parser, true);
      if (!body_ec) request = string_parser.release();
    }
    if (body_ec) {
      Response response;
      if (body_ec == bhttp::error::body_limit) {
        response = CloseWithError(Status::payload_too_large, "payload_too_large", "request body too large", version);
      } else if (IsMalformed(body_ec)) {
        response = CloseWithError(Status::bad_request, "invalid_argument", "malformed HTTP request", version);
      } else {
        break;
      }
      co_await Refuse(*state, *connection, buffer, response);
      break;
    }
    connection->NoDeadline();

    Response response;
    if (match.refusal) {
      response = std::move(*match.refusal);
    } else {
      try {
        response = co_await (*match.handler)(request, match.context);
      } catch (const std::exception& e) {
        response = ErrorResponse(Error::Internal(std::string("handler threw on ") +
                                                 std::string(bhttp::to_string(request.method())) + " " +
                                                 std::string(PathOf(request.target())) + ": " + e.what()));
      }
    }
    upload.reset();
    if (match.context.stream) {
      if (state->stopping.load()) {
        response = CloseWithError(Status::service_unavailable, "unavailable", "the server is stopping", version);
      } else {
        response.version(version);
        co_await Stream(*state, *connection, buffer, response, match.context.stream, PathOf(request.target()));
        break;
      }
    }
    response.version(version);
    response.keep_alive(request.keep_alive());
    response.prepare_payload();
    if (!co_await Write(*state, *connection, response, request.method() == Verb::head)) break;
  }

  co_await SendCloseNotify(*state, *connection);
  error_code ec;
  connection->socket().shutdown(tcp::socket::shutdown_send, ec);
  connection->socket().close(ec);
  {
    std::lock_guard lock(state->mutex);
    state->connections.erase(registration);
  }
  OnConnectionClosed(state);
}

// Accepts until the acceptor closes. Runs on the acceptor's strand; each connection gets a strand of its own so
// the server may run on a multi-threaded io_context.
asio::awaitable<void> Accept(std::shared_ptr<ServerState> state) {
  for (;;) {
    auto [ec, socket] = co_await state->acceptor.async_accept(asio::make_strand(state->executor), kNoThrow);
    if (ec) {
      if (ec == asio::error::operation_aborted || !state->acceptor.is_open()) co_return;
      // Running out of file descriptors must not kill the listener; the next accept may succeed.
      log::Warn("http_accept_failed", {{"error", ec.message()}});
      continue;
    }
    if (state->stopping.load()) continue;  // `socket` closes as it goes out of scope.
    error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    state->active.fetch_add(1);
    auto connection = std::make_shared<ServerState::Connection>(
        std::move(socket), state->options.tls ? state->options.tls->Current() : nullptr);
    auto executor = connection->socket().get_executor();
    asio::co_spawn(executor, RunConnection(state, std::move(connection)),
                   [](std::exception_ptr error) { LogEscaped("http_connection_failed", error); });
  }
}

asio::awaitable<void> WaitDrained(std::shared_ptr<ServerState> state) {
  while (state->active.load() > 0) {
    co_await state->drained.async_wait(kNoThrow);
  }
  state->sweep_timer.cancel();
}

}  // namespace

struct Server::State : ServerState {
  using ServerState::ServerState;
};

Server::Server(asio::any_io_executor executor, ServerOptions options, const Router& router)
    : state_(std::make_shared<State>(std::move(executor), std::move(options), router)) {}

Server::~Server() {
  // Connections still running keep the state alive; stop accepting so nothing new arrives for a router that may
  // be about to disappear.
  state_->stopping.store(true);
  asio::post(state_->acceptor.get_executor(), [state = state_] {
    error_code ec;
    state->acceptor.close(ec);
  });
}

Result<void> Server::Start() {
  if (const auto& dir = state_->options.upload_dir; !dir.empty()) {
    std::error_code fs_ec;
    std::filesystem::create_directories(dir, fs_ec);
    if (fs_ec) return Error::Unavailable("cannot create the upload directory", dir.string() + ": " + fs_ec.message());
    // Bodies a previous run was receiving when it stopped: nobody will read them now.
    for (const auto& entry : std::filesystem::directory_iterator(dir, fs_ec)) {
      if (entry.path().filename().string().starts_with(kUploadFilePrefix)) std::filesystem::remove(entry.path(), fs_ec);
    }
  }
  error_code ec;
  auto address = asio::ip::make_address(state_->options.host, ec);
  if (ec)
    return Error::Unavailable("cannot listen", "bad listen address " + state_->options.host + ": " + ec.message());
  tcp::endpoint endpoint(address, state_->options.port);
  tcp::acceptor& acceptor = state_->acceptor;
  std::string step = "open";
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) {
    step = "reuse_address";
    acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  }
  if (!ec) {
    step = "bind";
    acceptor.bind(endpoint, ec);
  }
  if (!ec) {
    step = "listen";
    acceptor.listen(asio::socket_base::max_listen_connections, ec);
  }
  if (ec) {
    error_code ignored;
    acceptor.close(ignored);
    return Error::Unavailable("cannot listen", step + " " + state_->options.host + ":" +
                                                   std::to_string(state_->options.port) + ": " + ec.message());
  }
  state_->bound_port = acceptor.local_endpoint().port();
  log::Info("http_listening", {{"host", state_->options.host}, {"port", state_->bound_port}});
  asio::co_spawn(acceptor.get_executor(), Accept(state_),
                 [](std::exception_ptr error) { LogEscaped("http_accept_loop_failed", error); });
  asio::co_spawn(state_->drain_strand, SweepDeadlines(state_),
                 [](std::exception_ptr error) { LogEscaped("http_deadline_sweep_failed", error); });
  return Ok();
}

uint16_t Server::port() const { return state_->bound_port; }

int64_t Server::active_connections() const { return state_->active.load(); }

asio::awaitable<void> Server::Stop() {
  auto state = state_;
  state->stopping.store(true);
  asio::post(state->acceptor.get_executor(), [state] {
    error_code ec;
    state->acceptor.close(ec);
  });
  {
    std::lock_guard lock(state->mutex);
    for (const auto& connection : state->connections) {
      // Only the connection's strand may touch its stream; a busy one closes after answering, a streaming one now.
      asio::post(connection->socket().get_executor(), [connection] {
        error_code ignored;  // The connection may have closed its socket meanwhile.
        if (!connection->busy || connection->streaming) connection->socket().cancel(ignored);
      });
    }
  }
  co_await asio::co_spawn(state->drain_strand, WaitDrained(state), asio::use_awaitable);
  log::Info("http_stopped", {{"port", state->bound_port}});
}

}  // namespace parley::http
