// Pipeline overhead: from the moment a signed webhook is posted to the moment the fake Graph API receives the
// reply's send call, minus the debounce window. Everything Parley adds is in there: ingest and commit, the
// timer, the claim, the read receipt round trip, the reply commit and the send. The fake answers instantly, the
// responder is the built-in away message, and each message opens its own conversation.

#include "core/crypto.h"
#include "fakes/fake_graph.h"
#include "integration/harness.h"

#include "http/client.h"

#include <CLI/CLI.hpp>
#include <boost/asio.hpp>
#include <boost/json.hpp>

#include <algorithm>
#include <iostream>
#include <map>
#include <thread>

using namespace parley::testing;
using Clock = std::chrono::steady_clock;

int main(int argc, char** argv) {
  int conversations = 2000;
  double rate = 200;
  int window_ms = 100;
  CLI::App cli{"Webhook-to-send pipeline overhead"};
  cli.add_option("--conversations", conversations);
  cli.add_option("--rate", rate, "Webhooks per second");
  cli.add_option("--window-ms", window_ms, "PARLEY_BATCH_WINDOW_MS");
  CLI11_PARSE(cli, argc, argv);

  const std::string secret = "bench-secret";
  FakeGraph graph;
  ParleyProcess parley({{"WHATSAPP_APP_SECRET", secret},
                        {"PARLEY_GRAPH_API_BASE_URL", graph.base_url()},
                        {"PARLEY_BATCH_WINDOW_MS", std::to_string(window_ms)},
                        {"PARLEY_BATCH_MAX_WAIT_MS", std::to_string(window_ms * 10)},
                        {"PARLEY_LOG_LEVEL", "warn"}});
  auto tenant = boost::json::parse(parley.Cli({"tenant", "create", "--name", "Bench"}).out);
  parley.Cli({"channel", "add", "whatsapp", "--tenant", std::to_string(tenant.at("tenant_id").to_number<int64_t>()),
              "--phone-number-id", "bench-pnid", "--access-token", "bench-token"});
  parley.Start();

  // Webhooks go out from one persistent client, paced at --rate; each is timed from just before its send.
  std::map<std::string, Clock::time_point> posted;
  boost::asio::io_context io;
  parley::http::ClientOptions client_options;
  client_options.max_attempts = 1;
  parley::http::Client client(io.get_executor(), client_options);
  bool failed = false;
  boost::asio::co_spawn(
      io,
      [&]() -> boost::asio::awaitable<void> {
        boost::asio::steady_timer pacer(io);
        const auto interval = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(1.0 / rate));
        auto next = Clock::now();
        for (int i = 0; i < conversations && !failed; ++i) {
          pacer.expires_at(next);
          co_await pacer.async_wait(boost::asio::use_awaitable);
          next += interval;
          std::string from = std::to_string(4915000000000LL + i);
          std::string body =
              R"({"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"bench-pnid"},"contacts":[{"profile":{"name":"B"},"wa_id":")" +
              from + R"("}],"messages":[{"from":")" + from + R"(","id":"wamid.PIPE)" + std::to_string(i) +
              R"(","timestamp":")" + std::to_string(std::time(nullptr)) +
              R"(","type":"text","text":{"body":"Hi"}}]},"field":"messages"}]}]})";
          parley::http::ClientRequest request;
          request.method = "POST";
          request.url = parley.url("/api/whatsapp/webhook");
          request.headers = {{"Content-Type", "application/json"}, {"X-Hub-Signature-256", Sign(secret, body)}};
          request.body = std::move(body);
          posted[from] = Clock::now();
          auto response = co_await client.Send(std::move(request));
          if (!response || response->status != 200) {
            std::cerr << "webhook failed\n";
            failed = true;
          }
        }
        client.Shutdown();
      },
      boost::asio::detached);
  io.run();
  if (failed) return 1;
  if (!graph.WaitForSends(static_cast<size_t>(conversations), std::chrono::seconds(30))) {
    std::cerr << "only " << graph.sends().size() << " replies arrived\n" << parley.logs();
    return 1;
  }
  std::map<std::string, Clock::time_point> read_receipt_at;  // by message id
  for (const auto& r : graph.requests()) {
    if (!IsSend(r)) read_receipt_at[std::string(r.body.at("message_id").as_string())] = r.received_at;
  }
  std::vector<double> overhead_ms, read_receipt_ms;
  for (const auto& send : graph.sends()) {
    std::string to(send.body.at("to").as_string());
    double total = std::chrono::duration<double, std::milli>(send.received_at - posted.at(to)).count();
    overhead_ms.push_back(total - window_ms);
    auto receipt = read_receipt_at.find("wamid.PIPE" + std::to_string(std::stoll(to) - 4915000000000LL));
    if (receipt != read_receipt_at.end()) {
      read_receipt_ms.push_back(std::chrono::duration<double, std::milli>(receipt->second - posted.at(to)).count() -
                                window_ms);
    }
  }
  std::sort(read_receipt_ms.begin(), read_receipt_ms.end());
  std::sort(overhead_ms.begin(), overhead_ms.end());
  auto pct = [&](double p) {
    return overhead_ms[std::min(overhead_ms.size() - 1, static_cast<size_t>(p * overhead_ms.size()))];
  };
  boost::json::object result{
      {"conversations", conversations},
      {"rate", rate},
      {"window_ms", window_ms},
      {"p50_ms", pct(0.5)},
      {"p99_ms", pct(0.99)},
      {"max_ms", overhead_ms.back()},
      {"replies", static_cast<int64_t>(graph.sends().size())},
      {"to_read_receipt_p50_ms", read_receipt_ms.empty() ? 0.0 : read_receipt_ms[read_receipt_ms.size() / 2]}};
  std::cout << boost::json::serialize(result) << std::endl;
  parley.Terminate();
  return 0;
}
