#include "redis/script.h"

#include <openssl/evp.h>

#include <cstdio>

namespace parley::redis {
namespace {

std::string Sha1Hex(std::string_view text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(text.data(), text.size(), digest, &length, EVP_sha1(), nullptr);
  std::string hex;
  char pair[3];
  for (unsigned int i = 0; i < length; ++i) {
    const unsigned char byte = digest[i];
    std::snprintf(pair, sizeof pair, "%02x", byte);
    hex.append(pair, 2);
  }
  return hex;
}

}  // namespace

Script::Script(std::string_view source) : source_(source), sha1_(Sha1Hex(source)) {}

boost::asio::awaitable<Result<Reply>> Script::Run(Client& client, const std::vector<std::string>& keys,
                                                  const std::vector<std::string>& args) const {
  std::vector<std::string> command{"EVALSHA", sha1_, std::to_string(keys.size())};
  command.insert(command.end(), keys.begin(), keys.end());
  command.insert(command.end(), args.begin(), args.end());
  Result<Reply> reply = co_await client.Command(command);
  if (reply && reply->is_error() && reply->text.starts_with("NOSCRIPT")) {
    command[0] = "EVAL";
    command[1] = source_;
    reply = co_await client.Command(command);
  }
  co_return reply;
}

}  // namespace parley::redis
