// Load generator for signed webhook ingest. Each request is a distinct, correctly signed webhook of one platform
// (--platform, WhatsApp by default), as the platform's plugin writes a sample text message (PlatformPlugin::
// sample_webhook) with a new message id, spread over many customers, so every request is a real insert, not a
// duplicate. A platform that signs with an app secret (Meta's) is given it with --secret; one whose webhooks are per
// channel (Telegram) is given the channel's --public-id and its access token as --secret, from which the channel's
// own webhook secret comes (Channel::WebhookSecret).
//
// Closed loop (default): --connections keep-alive connections each send the next request as soon as the previous
// answer arrives. Open loop: --rate N sends N requests/s spread over the connections, and latency is measured from
// the scheduled send time, so a slow server cannot hide queueing (no coordinated omission).
//
// It speaks raw HTTP/1.1 over Asio to stay light: it shares the machine's cores with the server. It reports its own
// CPU time per request over the measured window (`generator_cpu_us`), which is the server's budget's other part.
//
// --windows N measures N windows of --duration back to back on the same connections, one result line each, for soaks
// (bench/soak.sh): requests are then made as they are sent instead of before the run, since a soak's requests would
// not fit in memory and building them between windows paused the load. Making one is cheap where the platform's
// sample carries the message id and the sender verbatim (Meta's platforms, the web chat): the body is made once and
// only those digits change before signing.

#include "channels/registry.h"
#include "core/config.h"
#include "core/crypto.h"
#include "http/client.h"
#include "read_response.h"

#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <boost/asio.hpp>
#include <boost/json.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

namespace {

struct Options {
  std::string host = "127.0.0.1";
  int port = 8080;
  std::string platform = "whatsapp";
  std::string secret;
  std::string account_id = "bench-phone-number-id";
  std::string public_id;
  int connections = 64;
  double duration_s = 10;
  double warmup_s = 2;
  double rate = 0;  // 0: closed loop
  int customers = 10000;
  uint64_t total = 0;  // 0: send until the duration ends
  int windows = 1;
  std::string run_id;
};

// How requests reach the platform's webhook: its path and the header that proves them.
struct Webhook {
  const parley::channels::PlatformPlugin* plugin = nullptr;
  std::string path;
  std::string channel_secret;  //!< Per-channel webhooks: the header's value.
};

// The platform's webhook as --platform, --public-id and --secret name it; nullopt (with the reason on stderr) when
// they do not fit.
std::optional<Webhook> FindWebhook(const Options& o) {
  namespace channels = parley::channels;
  Webhook webhook;
  webhook.plugin = channels::FindPlatform(parley::Platform(o.platform));
  if (webhook.plugin == nullptr || webhook.plugin->sample_webhook == nullptr) {
    std::cerr << "no platform " << o.platform << " with sample webhooks\n";
    return std::nullopt;
  }
  webhook.path = webhook.plugin->webhook_path();
  if (webhook.plugin->webhook.verification == channels::WebhookSpec::Verification::kChannelSecret) {
    if (o.public_id.empty()) {
      std::cerr << o.platform << "'s webhooks are per channel: --public-id is needed\n";
      return std::nullopt;
    }
    webhook.path = webhook.plugin->ChannelWebhookUrl("", o.public_id);
    asio::io_context io;
    parley::http::Client client(io.get_executor(), {});
    const std::unique_ptr<channels::Channel> channel = webhook.plugin->make_channel(parley::Config{}, client);
    webhook.channel_secret = channel->WebhookSecret(o.secret, o.public_id);
  }
  return webhook;
}

// The n-th request: a webhook with its own message id, from customer n modulo --customers, signed.
class RequestMaker {
 public:
  RequestMaker(const Options& o, const Webhook& webhook)
      : options_(o), webhook_(webhook), timestamp_ms_(static_cast<int64_t>(std::time(nullptr)) * 1000) {
    body_ = Body(0);
    id_offsets_ = Offsets(body_, MessageId(0));
    from_offsets_ = Offsets(body_, From(0));
    const uint64_t probe = 987654321;
    substitutes_ = !id_offsets_.empty() && Substituted(probe) == Body(probe);
  }

  std::string Make(uint64_t n) const {
    const std::string body = substitutes_ ? Substituted(n) : Body(n);
    const std::string proof = webhook_.channel_secret.empty()
                                  ? "sha256=" + parley::crypto::HmacSha256Hex(options_.secret, body)
                                  : webhook_.channel_secret;
    return "POST " + webhook_.path + " HTTP/1.1\r\nHost: " + options_.host + "\r\nContent-Type: application/json\r\n" +
           std::string(webhook_.plugin->webhook.signature_header) + ": " + proof +
           "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  }

 private:
  // Fixed widths, so that the digits of one request replace another's in place.
  std::string MessageId(uint64_t n) const {
    char digits[21];
    std::snprintf(digits, sizeof digits, "%012llu", static_cast<unsigned long long>(n));
    return "BENCH" + options_.run_id + "." + digits;
  }
  std::string From(uint64_t n) const {
    return std::to_string(33600000000ULL + n % static_cast<uint64_t>(options_.customers));
  }

  std::string Body(uint64_t n) const {
    parley::channels::SampleMessage message;
    message.account_id = options_.account_id;
    message.from = From(n);
    message.name = "Bench Customer";
    message.text = "Hello, do you deliver on Sundays? I would like to order a cake.";
    message.message_id = MessageId(n);
    message.timestamp_ms = timestamp_ms_;
    return webhook_.plugin->sample_webhook(message);
  }

  static std::vector<size_t> Offsets(const std::string& body, const std::string& value) {
    std::vector<size_t> offsets;
    for (size_t at = body.find(value); at != std::string::npos; at = body.find(value, at + value.size()))
      offsets.push_back(at);
    return offsets;
  }

  std::string Substituted(uint64_t n) const {
    std::string body = body_;
    const std::string id = MessageId(n), from = From(n);
    for (size_t at : id_offsets_) body.replace(at, id.size(), id);
    for (size_t at : from_offsets_) body.replace(at, from.size(), from);
    return body;
  }

  const Options& options_;
  const Webhook& webhook_;
  int64_t timestamp_ms_;
  std::string body_;  //!< Request 0's.
  std::vector<size_t> id_offsets_, from_offsets_;
  bool substitutes_ = false;  //!< The sample carries both verbatim: a request is request 0 with other digits.
};

// What one measured window saw: the answers to the requests sent in it (the first's include the warm-up's), and the
// latencies of those answered before it ended.
struct Window {
  std::vector<double> latencies_us;
  uint64_t ok = 0, errors = 0, measured = 0;
  Clock::time_point last_measured;  // when the last measured answer came: a --total run ends before the window
};

struct Shared {
  Options options;
  std::optional<RequestMaker> maker;
  std::vector<std::string> requests;  // one window's, made before the run so that making them is not measured
  std::atomic<uint64_t> next{0};
  Clock::time_point start, measure_from, end;  // end: the last window's
  Clock::duration window_length{};
  std::vector<Window> windows;
};

using parley::bench::ReadResponse;

asio::awaitable<void> Connection(Shared& shared, int index) {
  auto executor = co_await asio::this_coro::executor;
  asio::ip::tcp::socket socket(executor);
  asio::ip::tcp::endpoint endpoint(asio::ip::make_address(shared.options.host),
                                   static_cast<uint16_t>(shared.options.port));
  co_await socket.async_connect(endpoint, asio::use_awaitable);
  socket.set_option(asio::ip::tcp::no_delay(true));
  std::string buffer;
  asio::steady_timer pacer(executor);
  const bool open_loop = shared.options.rate > 0;
  const double interval_s = open_loop ? shared.options.connections / shared.options.rate : 0;
  Clock::time_point scheduled =
      shared.start + std::chrono::duration_cast<Clock::duration>(
                         std::chrono::duration<double>(interval_s * index / shared.options.connections));
  std::string made;
  while (Clock::now() < shared.end) {
    if (open_loop) {
      pacer.expires_at(scheduled);
      co_await pacer.async_wait(asio::use_awaitable);
    }
    uint64_t n = shared.next.fetch_add(1, std::memory_order_relaxed);
    if (shared.options.total > 0 && n >= shared.options.total) break;
    if (shared.requests.empty()) made = shared.maker->Make(n);
    const std::string& request = shared.requests.empty() ? made : shared.requests[n % shared.requests.size()];
    Clock::time_point sent = open_loop ? scheduled : Clock::now();
    co_await asio::async_write(socket, asio::buffer(request), asio::use_awaitable);
    int status = co_await ReadResponse(socket, buffer);
    Clock::time_point done = Clock::now();
    // Answers count in the window their request was sent in, the warm-up's in the first; latencies only when sent
    // and answered within one window.
    const auto index_of_window =
        sent < shared.measure_from ? size_t{0}
                                   : std::min(shared.windows.size() - 1,
                                              static_cast<size_t>((sent - shared.measure_from) / shared.window_length));
    Window& window = shared.windows[index_of_window];
    ++(status == 200 ? window.ok : window.errors);
    if (sent >= shared.measure_from &&
        done <= shared.measure_from + shared.window_length * static_cast<long>(index_of_window + 1)) {
      window.latencies_us.push_back(std::chrono::duration<double, std::micro>(done - sent).count());
      ++window.measured;
      window.last_measured = done;
    }
    if (open_loop) scheduled += std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(interval_s));
  }
}

// User + system CPU time of this process so far.
double CpuSeconds() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

double Percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  size_t k = std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())));
  std::nth_element(v.begin(), v.begin() + static_cast<long>(k), v.end());
  return v[k];
}

// The result line of window `number`, which began at `start`; `cpu_s` is this process's CPU time during it.
void Report(const Options& o, Window& window, size_t number, Clock::time_point start, double cpu_s) {
  const double measured_s = o.total > 0 && window.measured > 0
                                ? std::chrono::duration<double>(window.last_measured - start).count()
                                : o.duration_s;
  boost::json::object result{
      {"platform", o.platform},
      {"mode", o.rate > 0 ? "open_loop" : "closed_loop"},
      {"connections", o.connections},
      {"target_rate", o.rate},
      {"duration_s", o.duration_s},
      {"requests_per_s", static_cast<double>(window.measured) / measured_s},
      {"p50_ms", Percentile(window.latencies_us, 0.50) / 1000},
      {"p99_ms", Percentile(window.latencies_us, 0.99) / 1000},
      {"p999_ms", Percentile(window.latencies_us, 0.999) / 1000},
      {"generator_cpu_us", window.measured > 0 ? cpu_s * 1e6 / static_cast<double>(window.measured) : 0},
      {"ok", window.ok},
      {"errors", window.errors}};
  if (o.windows > 1) result["window"] = number;
  std::cout << boost::json::serialize(result) << std::endl;
}

}  // namespace

int main(int argc, char** argv) {
  Shared shared;
  Options& o = shared.options;
  CLI::App cli{"Signed webhook ingest load generator"};
  cli.add_option("--host", o.host);
  cli.add_option("--port", o.port)->required();
  cli.add_option("--platform", o.platform, "The platform whose webhooks are sent (its registry name)");
  cli.add_option("--secret", o.secret,
                 "The app secret that signs the platform's webhooks (WHATSAPP_APP_SECRET, …), or for per-channel "
                 "webhooks the channel's access token")
      ->required();
  cli.add_option("--account-id", o.account_id, "The channel's account (WhatsApp's phone number id, a Page id)");
  cli.add_option("--public-id", o.public_id, "The channel's public id, for per-channel webhooks");
  cli.add_option("--connections", o.connections);
  cli.add_option("--duration", o.duration_s, "Seconds measured (each window's, with --windows)");
  cli.add_option("--warmup", o.warmup_s, "Seconds before measuring");
  cli.add_option("--windows", o.windows, "Windows of --duration measured back to back, one result line each")
      ->check(CLI::PositiveNumber);
  cli.add_option("--rate", o.rate, "Requests per second (open loop); 0 = as fast as possible");
  cli.add_option("--customers", o.customers, "Distinct senders (conversations)");
  cli.add_option("--run-id", o.run_id, "Makes message ids unique across runs");
  cli.add_option("--total", o.total,
                 "Stops after this many requests, within the duration (a fixed set of messages: with --customers "
                 "equal to it, one message per conversation)");
  CLI11_PARSE(cli, argc, argv);
  if (o.run_id.empty()) o.run_id = parley::crypto::RandomToken(6);
  if (o.total > 0 && o.windows > 1) {
    std::cerr << "--total and --windows do not go together\n";
    return 2;
  }

  const std::optional<Webhook> webhook = FindWebhook(o);
  if (!webhook) return 2;
  shared.maker.emplace(o, *webhook);
  if (o.windows == 1) {
    // Enough distinct requests for the whole run at 60k/s; beyond that ids repeat and count as duplicates.
    const size_t count =
        o.total > 0
            ? static_cast<size_t>(o.total)
            : static_cast<size_t>(std::max(1000.0, (o.rate > 0 ? o.rate : 60000) * (o.duration_s + o.warmup_s + 1)));
    shared.requests.reserve(count);
    for (size_t i = 0; i < count; ++i) shared.requests.push_back(shared.maker->Make(i));
  }

  asio::io_context io(1);
  shared.start = Clock::now() + std::chrono::milliseconds(100);
  shared.measure_from =
      shared.start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.warmup_s));
  shared.window_length = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.duration_s));
  shared.end = shared.measure_from + shared.window_length * o.windows;
  shared.windows.resize(static_cast<size_t>(o.windows));
  // A timer at each window's start takes the CPU time, and one a second after its end reports it (answers to the
  // last requests sent in it come in meanwhile); when every connection is done (the last window ended, or --total
  // was reached) the timers are cancelled and the windows not yet reported are reported.
  std::vector<double> cpu_at_boundary(shared.windows.size() + 1);
  std::vector<bool> reported(shared.windows.size());
  auto report = [&](size_t w, double cpu_at_end) {
    if (reported[w]) return;
    reported[w] = true;
    Report(o, shared.windows[w], w + 1, shared.measure_from + shared.window_length * static_cast<long>(w),
           cpu_at_end - cpu_at_boundary[w]);
  };
  std::vector<std::unique_ptr<asio::steady_timer>> timers;
  for (size_t w = 0; w <= shared.windows.size(); ++w) {
    const Clock::time_point boundary = shared.measure_from + shared.window_length * static_cast<long>(w);
    auto& at_boundary = timers.emplace_back(std::make_unique<asio::steady_timer>(io, boundary));
    at_boundary->async_wait([&, w](boost::system::error_code error) {
      if (!error) cpu_at_boundary[w] = CpuSeconds();
    });
    if (w == 0) continue;
    auto& after = timers.emplace_back(std::make_unique<asio::steady_timer>(io, boundary + std::chrono::seconds(1)));
    after->async_wait([&, w](boost::system::error_code error) {
      if (!error) report(w - 1, cpu_at_boundary[w]);
    });
  }
  int running = o.connections;
  for (int i = 0; i < o.connections; ++i) {
    asio::co_spawn(io, Connection(shared, i), [&](std::exception_ptr e) {
      if (e) {
        try {
          std::rethrow_exception(e);
        } catch (const std::exception& ex) {
          std::cerr << "connection failed: " << ex.what() << "\n";
        }
      }
      if (--running == 0)
        for (auto& timer : timers) timer->cancel();
    });
  }
  io.run();
  const double cpu_at_end = CpuSeconds();
  for (size_t w = 0; w < shared.windows.size(); ++w) report(w, cpu_at_end);
  const bool any_error =
      std::any_of(shared.windows.begin(), shared.windows.end(), [](const Window& window) { return window.errors > 0; });
  return any_error ? 1 : 0;
}
