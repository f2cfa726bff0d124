// The floor under signed webhook ingest: Parley's HTTP server (the same `http::Server`, router and threads as
// `parley serve`) answering the ingest benchmark's webhooks without storing them. `--work` says how much of the
// webhook path runs before the 200:
//   none    nothing: HTTP alone;
//   verify  the X-Hub-Signature-256 check;
//   parse   the check, then the payload parsed into unified messages, as `parley serve` does before the store.
// What `parley serve` adds beyond `parse` is the durable store, the batcher and their hand-offs. bench/http_floor.sh
// drives it with bench_ingest_load.

#include "channels/whatsapp/parse.h"
#include "core/crypto.h"
#include "http/server.h"

#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/json.hpp>

#include <iostream>
#include <string>
#include <thread>
#include <vector>

namespace asio = boost::asio;
using namespace parley;

int main(int argc, char** argv) {
  std::string work = "parse";
  std::string secret = "bench-secret";
  int threads = 2;
  CLI::App cli{"Parley's HTTP server answering signed webhooks without storing them"};
  cli.add_option("--work", work, "none, verify or parse")->check(CLI::IsMember({"none", "verify", "parse"}));
  cli.add_option("--secret", secret, "The app secret the webhooks are signed with");
  cli.add_option("--threads", threads, "I/O threads, as PARLEY_HTTP_THREADS");
  CLI11_PARSE(cli, argc, argv);

  const bool verify = work != "none";
  const bool parse = work == "parse";
  http::Router router;
  router.Add(
      http::Verb::post, "/api/whatsapp/webhook",
      [&](const http::Request& request, const http::RouteContext&) -> asio::awaitable<http::Response> {
        size_t messages = 0;
        if (verify) {
          auto signature = request["X-Hub-Signature-256"];
          if (!crypto::VerifyHubSignature(secret, request.body(),
                                          std::string_view(signature.data(), signature.size()))) {
            co_return http::ErrorResponse(Error::Unauthenticated("X-Hub-Signature-256 does not match"));
          }
        }
        if (parse) {
          auto events = channels::whatsapp::ParseWhatsAppWebhook(request.body());
          if (!events) co_return http::ErrorResponse(events.error());
          messages = events->messages.size();
        }
        co_return http::JsonResponse(http::Status::ok, boost::json::object{{"stored", messages}, {"duplicates", 0}});
      });

  asio::io_context io(threads);
  http::ServerOptions options;
  options.port = 0;
  http::Server server(io.get_executor(), options, router);
  if (auto started = server.Start(); !started) {
    std::cerr << started.error().message << "\n";
    return 1;
  }
  std::cout << server.port() << std::endl;
  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&io](const boost::system::error_code&, int) { io.stop(); });
  std::vector<std::thread> pool;
  for (int i = 1; i < threads; ++i) pool.emplace_back([&io] { io.run(); });
  io.run();
  for (auto& thread : pool) thread.join();
  return 0;
}
