// Does a login spray slow down everybody else? One keep-alive connection probes another tenant's authenticated
// API (GET /api/conversations with its API key) at a steady rate, first alone (idle), then while --connections
// closed-loop connections send POST /api/auth/login with random e-mails and wrong passwords as fast as the server
// answers them. With --forwarded each login carries a random X-Forwarded-For address (the server must trust
// 127.0.0.1 as a proxy), so it is limited as many clients rather than one.
//
// Prints one JSON line: the probe's p50/p99 idle and during the spray, the spray's rate and its answers by status.
// Raw HTTP/1.1 over Asio on one thread, to leave the cores to the server.

#include "read_response.h"

#include <CLI/CLI.hpp>
#include <boost/asio.hpp>
#include <boost/json.hpp>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <map>
#include <random>
#include <string>
#include <vector>

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

namespace {

struct Options {
  std::string host = "127.0.0.1";
  int port = 8080;
  std::string api_key;
  int connections = 32;
  double duration_s = 10;
  double probe_rate = 20;
  bool forwarded = false;
};

using parley::bench::ReadResponse;

asio::awaitable<asio::ip::tcp::socket> Open(const Options& o) {
  asio::ip::tcp::socket socket(co_await asio::this_coro::executor);
  co_await socket.async_connect({asio::ip::make_address(o.host), static_cast<uint16_t>(o.port)}, asio::use_awaitable);
  socket.set_option(asio::ip::tcp::no_delay(true));
  co_return socket;
}

// GET /api/conversations at `probe_rate` until `end`; latencies in microseconds, from the scheduled send time.
asio::awaitable<void> Probe(const Options& o, Clock::time_point end, std::vector<double>& latencies) {
  auto socket = co_await Open(o);
  asio::steady_timer pacer(co_await asio::this_coro::executor);
  const std::string request =
      "GET /api/conversations HTTP/1.1\r\nHost: " + o.host + "\r\nAuthorization: Bearer " + o.api_key + "\r\n\r\n";
  const auto interval = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(1 / o.probe_rate));
  std::string buffer;
  for (Clock::time_point scheduled = Clock::now(); scheduled < end; scheduled += interval) {
    pacer.expires_at(scheduled);
    co_await pacer.async_wait(asio::use_awaitable);
    co_await asio::async_write(socket, asio::buffer(request), asio::use_awaitable);
    int status = co_await ReadResponse(socket, buffer);
    if (status != 200) std::cerr << "probe answered " << status << "\n";
    latencies.push_back(std::chrono::duration<double, std::micro>(Clock::now() - scheduled).count());
  }
}

asio::awaitable<void> Spray(const Options& o, Clock::time_point end, std::mt19937_64& random,
                            std::map<int, int64_t>& statuses) {
  auto socket = co_await Open(o);
  std::string buffer;
  while (Clock::now() < end) {
    std::string body = R"({"email":"spray-)" + std::to_string(random()) + R"(@example.test","password":"not-it"})";
    std::string request = "POST /api/auth/login HTTP/1.1\r\nHost: " + o.host +
                          "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
                          "\r\n";
    if (o.forwarded) {
      // 198.18.0.0/15, the benchmarking range: a header value only, nothing connects there.
      uint64_t r = random();
      request += "X-Forwarded-For: 198." + std::to_string(18 + (r & 1)) + "." + std::to_string((r >> 8) & 255) + "." +
                 std::to_string((r >> 16) & 255) + "\r\n";
    }
    request += "\r\n" + body;
    co_await asio::async_write(socket, asio::buffer(request), asio::use_awaitable);
    int status = co_await ReadResponse(socket, buffer);
    ++statuses[status];
  }
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  size_t k = std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())));
  std::nth_element(v.begin(), v.begin() + static_cast<long>(k), v.end());
  return v[k];
}

void Run(asio::io_context& io, asio::awaitable<void> task) {
  asio::co_spawn(io, std::move(task), [](std::exception_ptr e) {
    if (!e) return;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      std::cerr << "connection failed: " << ex.what() << "\n";
    }
  });
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  CLI::App cli{"Login spray against another tenant's API latency"};
  cli.add_option("--host", o.host);
  cli.add_option("--port", o.port)->required();
  cli.add_option("--api-key", o.api_key, "The probing tenant's API key")->required();
  cli.add_option("--connections", o.connections, "Spraying connections");
  cli.add_option("--duration", o.duration_s, "Seconds of each phase (idle, spray)");
  cli.add_option("--probe-rate", o.probe_rate, "Probe requests per second");
  cli.add_flag("--forwarded", o.forwarded, "A random X-Forwarded-For address on each login");
  CLI11_PARSE(cli, argc, argv);
  const auto phase = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.duration_s));

  std::vector<double> idle;
  {
    asio::io_context io(1);
    Run(io, Probe(o, Clock::now() + phase, idle));
    io.run();
  }
  std::vector<double> during;
  std::map<int, int64_t> statuses;
  std::mt19937_64 random(std::random_device{}());
  {
    asio::io_context io(1);
    const auto end = Clock::now() + phase;
    for (int i = 0; i < o.connections; ++i) Run(io, Spray(o, end, random, statuses));
    Run(io, Probe(o, end, during));
    io.run();
  }
  int64_t logins = 0;
  boost::json::object answers;
  for (const auto& [status, count] : statuses) {
    answers[std::to_string(status)] = count;
    logins += count;
  }
  boost::json::object result{{"connections", o.connections},
                             {"forwarded", o.forwarded},
                             {"idle_p50_ms", Percentile(idle, 0.5) / 1000},
                             {"idle_p99_ms", Percentile(idle, 0.99) / 1000},
                             {"spray_p50_ms", Percentile(during, 0.5) / 1000},
                             {"spray_p99_ms", Percentile(during, 0.99) / 1000},
                             {"logins_per_s", static_cast<double>(logins) / o.duration_s},
                             {"answers", std::move(answers)}};
  std::cout << boost::json::serialize(result) << std::endl;
  return 0;
}
