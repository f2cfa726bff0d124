// Load generator for signed webhook ingest. Each request is a distinct, correctly signed WhatsApp Cloud API
// payload (a new message id, spread over many customers), so every request is a real insert, not a duplicate.
//
// Closed loop (default): --connections keep-alive connections each send the next request as soon as the previous
// answer arrives. Open loop: --rate N sends N requests/s spread over the connections, and latency is measured from
// the scheduled send time, so a slow server cannot hide queueing (no coordinated omission).
//
// It speaks raw HTTP/1.1 over Asio to stay light: it shares the machine's cores with the server. It reports its own
// CPU time per request over the measured window (`generator_cpu_us`), which is the server's budget's other part.

#include "core/crypto.h"
#include "read_response.h"

#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <boost/asio.hpp>
#include <boost/json.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

namespace {

struct Options {
  std::string host = "127.0.0.1";
  int port = 8080;
  std::string secret;
  std::string phone_number_id = "bench-phone-number-id";
  int connections = 64;
  double duration_s = 10;
  double warmup_s = 2;
  double rate = 0;  // 0: closed loop
  int customers = 10000;
  uint64_t total = 0;  // 0: send until the duration ends
  std::string run_id;
};

std::string Payload(const Options& o, uint64_t n) {
  std::string from = std::to_string(33600000000ULL + n % static_cast<uint64_t>(o.customers));
  std::string body =
      R"({"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":")" +
      o.phone_number_id + R"("},"contacts":[{"profile":{"name":"Bench Customer"},"wa_id":")" + from +
      R"("}],"messages":[{"from":")" + from + R"(","id":"wamid.BENCH)" + o.run_id + "." + std::to_string(n) +
      R"(","timestamp":")" + std::to_string(std::time(nullptr)) +
      R"(","type":"text","text":{"body":"Hello, do you deliver on Sundays? I would like to order a cake."}}]},"field":"messages"}]}]})";
  return "POST /api/whatsapp/webhook HTTP/1.1\r\nHost: " + o.host + "\r\nContent-Type: application/json\r\n" +
         "X-Hub-Signature-256: sha256=" + parley::crypto::HmacSha256Hex(o.secret, body) +
         "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
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
  cli.add_option("--secret", o.secret, "WHATSAPP_APP_SECRET of the server")->required();
  cli.add_option("--phone-number-id", o.phone_number_id);
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
  shared.requests.reserve(count);
  for (size_t i = 0; i < count; ++i) shared.requests.push_back(Payload(o, i));
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
