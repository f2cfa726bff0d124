// Live event latency (issue 17, "a new message visible in an open inbox < 500 ms p95 after its webhook's 200"): the
// real binary on loopback with an event stream open (GET /api/events); signed WhatsApp webhooks paced at --rate, each
// from a new customer; for each, the time from its 200 to the arrival of its message.created on the stream. The
// batcher's window is set beyond the run, so nothing but ingest and the event path is measured.

#include "integration/harness.h"
#include "integration/payloads.h"
#include "integration/sse_client.h"

#include <CLI/CLI.hpp>
#include <boost/json.hpp>

#include <algorithm>
#include <iostream>
#include <map>
#include <thread>

using namespace parley::testing;
using Clock = std::chrono::steady_clock;

int main(int argc, char** argv) {
  int messages = 1000;
  double rate = 100;
  int streams = 1;
  CLI::App cli{"Webhook 200 to message.created on an open event stream"};
  cli.add_option("--messages", messages);
  cli.add_option("--rate", rate, "Webhooks per second");
  cli.add_option("--streams", streams, "Streams open on the tenant (the latency is read on the first)");
  CLI11_PARSE(cli, argc, argv);

  const std::string secret = "bench-secret";
  const std::string phone = "bench-pnid";
  ParleyProcess parley({{"WHATSAPP_APP_SECRET", secret},
                        {"PARLEY_BATCH_WINDOW_MS", "600000"},
                        {"PARLEY_BATCH_MAX_WAIT_MS", "600000"},
                        {"PARLEY_LOG_LEVEL", "warn"}});
  auto tenant = boost::json::parse(parley.Cli({"tenant", "create", "--name", "Bench"}).out);
  const std::string key(tenant.at("api_key").as_string());
  parley.Cli({"channel", "add", "whatsapp", "--tenant", std::to_string(tenant.at("tenant_id").to_number<int64_t>()),
              "--phone-number-id", phone, "--access-token", "bench-token"});
  parley.Start();

  std::vector<std::unique_ptr<SseClient>> open;
  for (int i = 0; i < streams; ++i) {
    open.push_back(std::make_unique<SseClient>(
        parley.url("/api/events"),
        std::vector<std::pair<std::string, std::string>>{{"Authorization", "Bearer " + key}}));
    if (open.back()->status() != 200) {
      std::cerr << "the event stream answered " << open.back()->status() << "\n";
      return 1;
    }
  }
  SseClient& stream = *open.front();

  std::map<std::string, Clock::time_point> answered;  // platform message id → when its 200 arrived
  const auto interval = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(1.0 / rate));
  auto next = Clock::now();
  for (int i = 0; i < messages; ++i) {
    std::this_thread::sleep_until(next);
    next += interval;
    const std::string id = "wamid.bench." + std::to_string(i);
    const std::string body = payloads::WhatsAppText(phone, "3361" + std::to_string(1000000 + i), id, "hello " + id);
    HttpResult result = Call("POST", parley.url("/api/whatsapp/webhook"), body,
                             {{"Content-Type", "application/json"}, {"X-Hub-Signature-256", Sign(secret, body)}});
    const auto now = Clock::now();
    if (result.status != 200) {
      std::cerr << "webhook answered " << result.status << "\n";
      return 1;
    }
    answered[id] = now;
  }
  // Each message brings conversation.created and message.created.
  auto events = stream.WaitForData(static_cast<size_t>(messages) * 2, std::chrono::seconds(30));
  std::vector<double> latencies_ms;
  for (const SseEvent& event : events) {
    auto parsed = boost::json::parse(event.data).as_object();
    if (parsed.at("type") != "message.created") continue;
    const std::string id(parsed.at("data").at("message").at("platform_message_id").as_string());
    auto it = answered.find(id);
    if (it == answered.end()) continue;
    latencies_ms.push_back(std::chrono::duration<double, std::milli>(event.received - it->second).count());
  }
  if (latencies_ms.size() != static_cast<size_t>(messages)) {
    std::cerr << "only " << latencies_ms.size() << " of " << messages << " messages arrived on the stream\n";
    return 1;
  }
  std::sort(latencies_ms.begin(), latencies_ms.end());
  auto at = [&](double q) { return latencies_ms[std::min(latencies_ms.size() - 1, size_t(q * latencies_ms.size()))]; };
  boost::json::object report{{"messages", messages},         {"rate", rate},       {"streams", streams},
                             {"p50_ms", at(0.50)},           {"p95_ms", at(0.95)}, {"p99_ms", at(0.99)},
                             {"max_ms", latencies_ms.back()}};
  std::cout << boost::json::serialize(report) << "\n";
  open.clear();
  parley.Terminate();
  return 0;
}
