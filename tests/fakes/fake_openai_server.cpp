// FakeOpenAi (fake_openai.h) as a process of its own, for the browser end-to-end tests (web/e2e): Parley's
// transcription endpoint, which turns a test recording (FakeOpenAi::Recording: "OggS…SAID:<words>") into its words.
//
// It takes no options, prints one JSON line on stdout once it listens,
//   {"event":"listening","url":"http://127.0.0.1:P/v1"}
// and runs until SIGTERM or SIGINT.

#include "fakes/fake_openai.h"
#include "fakes/run_until_signalled.h"

#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>

#include <iostream>

int main(int argc, char**) {
  if (argc > 1) {
    std::cerr << "usage: fake_openai_server\n";
    return 2;
  }
  parley::testing::FakeOpenAi model;
  std::cout << boost::json::serialize(boost::json::object{{"event", "listening"}, {"url", model.base_url()}})
            << std::endl;
  boost::asio::io_context io;
  parley::testing::RunUntilSignalled(io);
  return 0;
}
