// A photo message's overhead before the agent (issue 20 §7), as a customer meets it: the time from a signed WhatsApp
// webhook to the reply's send call at the fake Graph API, for a photo against a text message, with the real binary.
// What the photo adds is everything the worker does before the agent may answer: Retrieve Media URL and the download
// from the fake, the type sniffed, the file kept, the agent's copy and the thumbnail made (libvips), and the text in
// it read (Tesseract, PARLEY_OCR_LANGUAGES). Messages go one at a time, each from a new customer, so no message waits
// behind another; the responder is the built-in away message, so no model time is in either figure.

#include "fakes/fake_graph.h"
#include "integration/harness.h"
#include "integration/payloads.h"
#include "support/test_images.h"

#include <CLI/CLI.hpp>
#include <boost/json.hpp>

#include <algorithm>
#include <iostream>
#include <string>
#include <vector>

using namespace parley::testing;
using Clock = std::chrono::steady_clock;

namespace {

constexpr const char* kSecret = "bench-secret";
constexpr const char* kPhoneNumberId = "bench-pnid";
constexpr const char* kToken = "bench-token";

struct Percentiles {
  double p50 = 0;
  double p99 = 0;
  double max = 0;
};

Percentiles Of(std::vector<double> ms) {
  std::sort(ms.begin(), ms.end());
  auto at = [&](double p) { return ms[std::min(ms.size() - 1, static_cast<size_t>(p * ms.size()))]; };
  return {at(0.5), at(0.99), ms.back()};
}

boost::json::object Json(const Percentiles& p) { return {{"p50_ms", p.p50}, {"p99_ms", p.p99}, {"max_ms", p.max}}; }

}  // namespace

int main(int argc, char** argv) {
  int messages = 30;
  int window_ms = 100;
  CLI::App cli{"A photo message's overhead before the agent"};
  cli.add_option("--messages", messages, "Messages of each kind");
  cli.add_option("--window-ms", window_ms, "PARLEY_BATCH_WINDOW_MS");
  CLI11_PARSE(cli, argc, argv);

  FakeGraph graph;
  ParleyProcess parley({{"WHATSAPP_APP_SECRET", kSecret},
                        {"PARLEY_GRAPH_API_BASE_URL", graph.base_url()},
                        {"PARLEY_OUTBOUND_ALLOW", "127.0.0.1"},
                        {"PARLEY_BATCH_WINDOW_MS", std::to_string(window_ms)},
                        {"PARLEY_BATCH_MAX_WAIT_MS", std::to_string(window_ms * 10)},
                        {"PARLEY_RESPONDER", "away_message"},
                        {"PARLEY_LOG_LEVEL", std::getenv("BENCH_LOG") ? "info" : "warn"}});
  auto tenant = boost::json::parse(parley.Cli({"tenant", "create", "--name", "Bench"}).out);
  parley.Cli({"channel", "add", "whatsapp", "--tenant", std::to_string(tenant.at("tenant_id").to_number<int64_t>()),
              "--phone-number-id", kPhoneNumberId, "--access-token", kToken});
  parley.Start();

  // A camera photo as WhatsApp delivers it (recompressed to 1600 × 1200), and a phone's screenshot of an order.
  const std::string photo = parley::media::testing::Jpeg(1600, 1200);
  const std::string screenshot = parley::media::testing::TextPng(
      "Order #A-4417\nPlaced on 3 December 2026\n2 × Sourdough loaf   €9.00\n1 × Almond croissant   €2.40\n"
      "Delivery   €3.00\nTotal   €14.40\nDelivery expected on 12 December");
  graph.AddMedia("1077324873498572", kToken, photo, "image/jpeg");
  graph.AddMedia("1077324873498573", kToken, screenshot, "image/png");

  // Posts one webhook from a new customer and waits for the reply's send; its time in milliseconds, or -1.
  int customer = 0;
  auto timed = [&](const std::string& type, const std::string& media_id) -> double {
    const std::string from = std::to_string(4915000000000LL + ++customer);
    const std::string id = "wamid.PHOTO" + std::to_string(customer);
    const std::string body =
        type == "text" ? payloads::WhatsAppText(kPhoneNumberId, from, id, "Where is my order?")
                       : payloads::WhatsAppMedia(kPhoneNumberId, from, id, "image", media_id,
                                                 type == "photo" ? "image/jpeg" : "image/png", "Where is my order?");
    const size_t before = graph.sends().size();
    const auto posted = Clock::now();
    auto answer = Call("POST", parley.url("/api/whatsapp/webhook"), body,
                       {{"Content-Type", "application/json"}, {"X-Hub-Signature-256", Sign(kSecret, body)}});
    if (answer.status != 200 || !graph.WaitForSends(before + 1, std::chrono::seconds(30))) return -1;
    return std::chrono::duration<double, std::milli>(graph.sends().back().received_at - posted).count();
  };

  std::vector<double> text_ms, photo_ms, screenshot_ms;
  for (int i = 0; i < messages; ++i) {
    for (auto [type, media_id, into] :
         {std::tuple{"text", "", &text_ms}, std::tuple{"photo", "1077324873498572", &photo_ms},
          std::tuple{"screenshot", "1077324873498573", &screenshot_ms}}) {
      const double ms = timed(type, media_id);
      if (ms < 0) {
        std::cerr << type << " message " << i << " was not answered\n" << parley.logs();
        return 1;
      }
      into->push_back(ms);
    }
  }
  const Percentiles text = Of(text_ms), with_photo = Of(photo_ms), with_screenshot = Of(screenshot_ms);
  boost::json::object result{{"messages", messages},
                             {"window_ms", window_ms},
                             {"photo_bytes", static_cast<int64_t>(photo.size())},
                             {"screenshot_bytes", static_cast<int64_t>(screenshot.size())},
                             {"text", Json(text)},
                             {"photo", Json(with_photo)},
                             {"screenshot", Json(with_screenshot)},
                             {"photo_overhead_p50_ms", with_photo.p50 - text.p50},
                             {"photo_overhead_p99_ms", with_photo.p99 - text.p99},
                             {"screenshot_overhead_p50_ms", with_screenshot.p50 - text.p50},
                             {"screenshot_overhead_p99_ms", with_screenshot.p99 - text.p99}};
  std::cout << boost::json::serialize(result) << std::endl;
  if (std::getenv("BENCH_LOG")) std::cerr << parley.logs();
  parley.Terminate();
  return 0;
}
