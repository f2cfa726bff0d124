// FakeGraph (fake_graph.h) as a process of its own, for tests that are not C++: the browser end-to-end tests in
// web/e2e/ point Parley's PARLEY_GRAPH_API_BASE_URL at it and ask it what Parley sent.
//
// It prints one JSON line on stdout once both of its listeners are up:
//   {"event":"listening","graph_url":"http://127.0.0.1:P","control_url":"http://127.0.0.1:Q"}
// graph_url answers like Meta's Graph API. control_url answers GET /_recorded with every request received so far,
// oldest first: [{"method","path","authorization","body","send"}], where "send" tells a message sent to a customer
// from a read receipt or typing indicator. The control listener is separate so that no test path can ever be
// mistaken for a Graph node id. A WhatsApp upload (POST /{phone_number_id}/media) is recorded with a summary of its
// form as its body: {"messaging_product", "type", "file": {"filename", "content_type", "bytes"}, "id"} (the media
// id answered; absent when refused). It runs until SIGTERM or SIGINT.
//
// --whatsapp-business TOKEN,WABA_ID,PHONE_NUMBER_ID (repeatable) makes the token reach that business and number,
// as a channel that is checked against Meta needs. --app APP_ID,APP_SECRET is the Meta app that logins are for, and
// --login USER_TOKEN the person who signs in at its Login dialog (GET /dialog/oauth) and grants access: with
// --whatsapp-business USER_TOKEN,… too, connecting with Meta finds that business and number. --media
// MEDIA_ID,TOKEN,FILE,MIME_TYPE (repeatable) is a customer's media WhatsApp holds: GET /MEDIA_ID with the token gives
// its download URL, which serves FILE's bytes. --profile TOKEN,PSID,FIRST_NAME,LAST_NAME (repeatable) is a Messenger
// customer whose profile the Page token TOKEN may read (Meta's User Profile API: GET /PSID?fields=first_name,…).

#include "fakes/fake_graph.h"
#include "fakes/run_until_signalled.h"
#include "http/http.h"
#include "http/server.h"

#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>

#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

namespace {

using parley::testing::FakeGraph;
namespace http = parley::http;
namespace json = boost::json;

json::array Recorded(const FakeGraph& graph) {
  json::array out;
  for (const auto& request : graph.requests()) {
    out.push_back(json::object{{"method", request.method},
                               {"path", request.path},
                               {"authorization", request.authorization},
                               {"body", request.body},
                               {"send", request.method == "POST" && parley::testing::IsSend(request)}});
  }
  return out;
}

// "a,b,c" → {"a","b","c"}.
std::vector<std::string> SplitCommas(const std::string& text) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (size_t comma; (comma = text.find(',', start)) != std::string::npos; start = comma + 1) {
    parts.push_back(text.substr(start, comma - start));
  }
  parts.push_back(text.substr(start));
  return parts;
}

}  // namespace

int main(int argc, char** argv) {
  FakeGraph graph;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    std::vector<std::string> parts = i + 1 < argc ? SplitCommas(argv[i + 1]) : std::vector<std::string>{};
    if (arg == "--whatsapp-business" && parts.size() == 3) {
      graph.AddWhatsAppBusiness(parts[0], parts[1], {{parts[2], "+1 555 0100", "Parley e2e"}});
    } else if (arg == "--app" && parts.size() == 2) {
      graph.SetApp(parts[0], parts[1]);
    } else if (arg == "--login" && parts.size() == 1) {
      graph.SetLoginUser(parts[0]);
    } else if (arg == "--profile" && parts.size() == 4) {
      graph.AddProfile(parts[0], parts[1], {{"first_name", parts[2]}, {"last_name", parts[3]}});
    } else if (arg == "--media" && parts.size() == 4) {
      std::ifstream file(parts[2], std::ios::binary);
      std::string bytes((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
      if (!file.good() && !file.eof()) {
        std::cerr << "fake_graph_server: cannot read " << parts[2] << "\n";
        return 2;
      }
      graph.AddMedia(parts[0], parts[1], std::move(bytes), parts[3]);
    } else {
      std::cerr << "usage: fake_graph_server [--whatsapp-business TOKEN,WABA_ID,PHONE_NUMBER_ID]... "
                   "[--app APP_ID,APP_SECRET] [--login USER_TOKEN] [--media MEDIA_ID,TOKEN,FILE,MIME_TYPE]... "
                   "[--profile TOKEN,PSID,FIRST_NAME,LAST_NAME]...\n";
      return 2;
    }
    ++i;
  }

  boost::asio::io_context io;
  http::Router control;
  control.Add(http::Verb::get, "/_recorded",
              [&graph](const http::Request&, const http::RouteContext&) -> boost::asio::awaitable<http::Response> {
                co_return http::JsonResponse(http::Status::ok, Recorded(graph));
              });
  http::ServerOptions options;
  options.port = 0;
  http::Server server(io.get_executor(), options, control);
  if (!server.Start()) {
    std::cerr << "fake_graph_server: cannot listen\n";
    return 1;
  }
  std::cout << json::serialize(json::object{{"event", "listening"},
                                            {"graph_url", graph.base_url()},
                                            {"control_url", "http://127.0.0.1:" + std::to_string(server.port())}})
            << std::endl;

  parley::testing::RunUntilSignalled(io);
  return 0;
}
