#pragma once
// A Lua script run on Redis by its SHA-1 (EVALSHA), sent whole (EVAL) when the server does not know it: a server
// restarted or flushed forgets its scripts, and EVAL caches it again for the next EVALSHA. What the shared rate
// limits and the shared debounce (queue/redis) run atomically goes through here.

#include "core/error.h"
#include "redis/client.h"

#include <boost/asio/awaitable.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace parley::redis {

class Script {
 public:
  explicit Script(std::string_view source);

  // Runs the script with `keys` and `args`. A reply of the server's own error (the script failed) is a Reply of
  // kError, as with Client::Command.
  boost::asio::awaitable<Result<Reply>> Run(Client& client, const std::vector<std::string>& keys,
                                            const std::vector<std::string>& args) const;

 private:
  std::string source_;
  std::string sha1_;
};

}  // namespace parley::redis
