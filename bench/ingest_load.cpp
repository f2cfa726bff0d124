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
  std::string run_id;
};

// How requests reach the platform's webhook: its path and the header that proves them.
struct Webhook {
  const parley::channels::PlatformPlugin* plugin = nullptr;
  std::string path;
  std::string channel_secret;  //!< Per-channel webhooks: the header's value.
};

std::string Payload(const Options& o, const Webhook& webhook, uint64_t n) {
  parley::channels::SampleMessage message;
  message.account_id = o.account_id;
  message.from = std::to_string(33600000000ULL + n % static_cast<uint64_t>(o.customers));
  message.name = "Bench Customer";
  message.text = "Hello, do you deliver on Sundays? I would like to order a cake.";
  message.message_id = "BENCH" + o.run_id + "." + std::to_string(n);
  message.timestamp_ms = static_cast<int64_t>(std::time(nullptr)) * 1000;
  const std::string body = webhook.plugin->sample_webhook(message);
  const std::string proof = webhook.channel_secret.empty() ? "sha256=" + parley::crypto::HmacSha256Hex(o.secret, body)
                                                           : webhook.channel_secret;
  return "POST " + webhook.path + " HTTP/1.1\r\nHost: " + o.host + "\r\nContent-Type: application/json\r\n" +
         std::string(webhook.plugin->webhook.signature_header) + ": " + proof +
         "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

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

struct Shared {
  Options options;
  std::vector<std::string> requests;  // pre-built, so signing is not measured
  std::atomic<uint64_t> next{0};
  Clock::time_point start, measure_from, end;
  std::vector<double> latencies_us;  // measured window only
  uint64_t ok = 0, errors = 0, measured = 0;
  Clock::time_point last_measured;  // when the last measured answer came: a --total run ends before `end`
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
  while (Clock::now() < shared.end) {
    if (open_loop) {
      pacer.expires_at(scheduled);
      co_await pacer.async_wait(asio::use_awaitable);
    }
    uint64_t n = shared.next.fetch_add(1, std::memory_order_relaxed);
    if (shared.options.total > 0 && n >= shared.options.total) break;
    const std::string& request = shared.requests[n % shared.requests.size()];
    Clock::time_point sent = open_loop ? scheduled : Clock::now();
    co_await asio::async_write(socket, asio::buffer(request), asio::use_awaitable);
    int status = co_await ReadResponse(socket, buffer);
    Clock::time_point done = Clock::now();
    if (status == 200)
      ++shared.ok;
    else
      ++shared.errors;
    if (sent >= shared.measure_from && done <= shared.end) {
      shared.latencies_us.push_back(std::chrono::duration<double, std::micro>(done - sent).count());
      ++shared.measured;
      shared.last_measured = done;
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
  cli.add_option("--duration", o.duration_s, "Seconds measured");
  cli.add_option("--warmup", o.warmup_s, "Seconds before measuring");
  cli.add_option("--rate", o.rate, "Requests per second (open loop); 0 = as fast as possible");
  cli.add_option("--customers", o.customers, "Distinct senders (conversations)");
  cli.add_option("--run-id", o.run_id, "Makes message ids unique across runs");
  cli.add_option("--total", o.total,
                 "Stops after this many requests, within the duration (a fixed set of messages: with --customers "
                 "equal to it, one message per conversation)");
  CLI11_PARSE(cli, argc, argv);
  if (o.run_id.empty()) o.run_id = parley::crypto::RandomToken(6);

  // Enough distinct requests for the whole run at 60k/s; beyond that ids repeat and count as duplicates.
  const size_t count =
      o.total > 0
          ? static_cast<size_t>(o.total)
          : static_cast<size_t>(std::max(1000.0, (o.rate > 0 ? o.rate : 60000) * (o.duration_s + o.warmup_s + 1)));
  const std::optional<Webhook> webhook = FindWebhook(o);
  if (!webhook) return 2;
  shared.requests.reserve(count);
  for (size_t i = 0; i < count; ++i) shared.requests.push_back(Payload(o, *webhook, i));
  shared.latencies_us.reserve(count);

  asio::io_context io(1);
  shared.start = Clock::now() + std::chrono::milliseconds(100);
  shared.measure_from =
      shared.start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.warmup_s));
  shared.end =
      shared.measure_from + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.duration_s));
  double cpu_at_measure_from = 0;
  asio::steady_timer measuring(io, shared.measure_from);
  measuring.async_wait([&cpu_at_measure_from](boost::system::error_code) { cpu_at_measure_from = CpuSeconds(); });
  for (int i = 0; i < o.connections; ++i) {
    asio::co_spawn(io, Connection(shared, i), [](std::exception_ptr e) {
      if (e) {
        try {
          std::rethrow_exception(e);
        } catch (const std::exception& ex) {
          std::cerr << "connection failed: " << ex.what() << "\n";
        }
      }
    });
  }
  io.run();
  const double generator_cpu_s = CpuSeconds() - cpu_at_measure_from;

  const double measured_s = o.total > 0 && shared.measured > 0
                                ? std::chrono::duration<double>(shared.last_measured - shared.measure_from).count()
                                : o.duration_s;
  double p50 = Percentile(shared.latencies_us, 0.50);
  double p99 = Percentile(shared.latencies_us, 0.99);
  double p999 = Percentile(shared.latencies_us, 0.999);
  boost::json::object result{
      {"platform", o.platform},
      {"mode", o.rate > 0 ? "open_loop" : "closed_loop"},
      {"connections", o.connections},
      {"target_rate", o.rate},
      {"duration_s", o.duration_s},
      {"requests_per_s", static_cast<double>(shared.measured) / measured_s},
      {"p50_ms", p50 / 1000},
      {"p99_ms", p99 / 1000},
      {"p999_ms", p999 / 1000},
      {"generator_cpu_us", shared.measured > 0 ? generator_cpu_s * 1e6 / static_cast<double>(shared.measured) : 0},
      {"ok", shared.ok},
      {"errors", shared.errors}};
  std::cout << boost::json::serialize(result) << std::endl;
  return shared.errors == 0 ? 0 : 1;
}
