// FakeTelegram (fake_telegram.h) as a process of its own, for what is not a C++ test: bench/platform_ingest.sh adds
// a Telegram channel against it (getMe, setWebhook) before it measures the channel's webhook.
//
// --bot TOKEN,ID,USERNAME (repeatable) is a bot the fake knows. It prints one JSON line on stdout once it listens,
//   {"event":"listening","url":"http://127.0.0.1:P"}
// and runs until SIGTERM or SIGINT.

#include "fakes/fake_telegram.h"
#include "fakes/run_until_signalled.h"

#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>

#include <cstdint>
#include <iostream>
#include <string>

int main(int argc, char** argv) {
  parley::testing::FakeTelegram telegram;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const std::string value = i + 1 < argc ? argv[i + 1] : "";
    const size_t first = value.find(',');
    const size_t second = first == std::string::npos ? first : value.find(',', first + 1);
    if (arg != "--bot" || second == std::string::npos) {
      std::cerr << "usage: fake_telegram_server [--bot TOKEN,ID,USERNAME]...\n";
      return 2;
    }
    telegram.AddBot(value.substr(0, first), std::stoll(value.substr(first + 1, second - first - 1)),
                    value.substr(second + 1));
    ++i;
  }
  std::cout << boost::json::serialize(boost::json::object{{"event", "listening"}, {"url", telegram.base_url()}})
            << std::endl;
  boost::asio::io_context io;
  parley::testing::RunUntilSignalled(io);
  return 0;
}
