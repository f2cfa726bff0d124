#pragma once
// The end of a fake server process's main(): it runs `io` (which may also serve the fake's own listener) until
// SIGTERM or SIGINT, so that a test or a benchmark script stops it with an ordinary kill.

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <csignal>

namespace parley::testing {

inline void RunUntilSignalled(boost::asio::io_context& io) {
  boost::asio::signal_set signals(io, SIGTERM, SIGINT);
  signals.async_wait([&io](const boost::system::error_code&, int) { io.stop(); });
  io.run();
}

}  // namespace parley::testing
