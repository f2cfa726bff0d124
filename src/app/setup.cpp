#include "app/setup.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

namespace parley::app {

Result<crypto::SecretBox> LoadMasterKey(const Config& config) {
  if (!config.master_key.empty()) {
    auto key = crypto::HexDecode(config.master_key);
    if (!key || key->size() != crypto::SecretBox::kKeySize) {
      return Error::InvalidArgument("PARLEY_MASTER_KEY must be 64 hex characters (32 bytes)");
    }
    return crypto::SecretBox::Create(*key);
  }
  std::error_code ec;
  std::filesystem::create_directories(config.data_dir, ec);
  if (ec) return Error::Unavailable("cannot create the data directory " + config.data_dir + ": " + ec.message());
  const std::string path = config.data_dir + "/master.key";
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (fd >= 0) {
    auto token = crypto::RandomToken(crypto::SecretBox::kKeySize);
    auto decoded = crypto::Base64UrlDecode(token);
    std::string hex = crypto::HexEncode(*decoded) + "\n";
    bool written = ::write(fd, hex.data(), hex.size()) == static_cast<ssize_t>(hex.size()) && ::fsync(fd) == 0;
    ::close(fd);
    if (!written) return Error::Unavailable("cannot write " + path);
  } else if (errno != EEXIST) {
    return Error::Unavailable("cannot create " + path + ": " + std::strerror(errno));
  }
  std::ifstream in(path);
  std::string hex;
  in >> hex;
  auto key = crypto::HexDecode(hex);
  if (!key || key->size() != crypto::SecretBox::kKeySize) {
    return Error::InvalidArgument(path + " does not hold a 64-hex-character key");
  }
  return crypto::SecretBox::Create(*key);
}

Result<std::unique_ptr<store::Store>> OpenMigratedStore(
    const Config& config, const crypto::SecretBox& box, boost::asio::any_io_executor callbacks,
    std::function<void(int64_t tenant_id, int64_t last_event_id)> on_events, std::function<void()> on_routes_changed) {
  auto store = store::OpenStore({.database_url = config.database_url,
                                 .sqlite_synchronous = config.sqlite_synchronous,
                                 .callback_executor = std::move(callbacks),
                                 .on_events = std::move(on_events),
                                 .on_routes_changed = std::move(on_routes_changed),
                                 .database_connections = config.database_pool},
                                box);
  if (!store) return store.error();
  if (auto migrated = (*store)->Migrate(); !migrated) return migrated.error();
  return std::move(*store);
}

Result<std::unique_ptr<store::Store>> OpenForCli(const Config& config) {
  auto box = LoadMasterKey(config);
  if (!box) return box.error();
  return OpenMigratedStore(config, *box);
}

int PrintError(const Error& e) {
  std::cerr << "error: " << e.message << (e.detail.empty() ? "" : " (" + e.detail + ")") << "\n";
  return 1;
}

Result<http::ClientOptions> OutboundClientOptions(const Config& config) {
  auto allow = http::OutboundAllowList::Parse(config.outbound_allow);
  if (!allow) return Error::InvalidArgument("PARLEY_OUTBOUND_ALLOW: " + allow.error().message);
  http::ClientOptions options;
  options.connect_timeout = std::chrono::milliseconds(config.connect_timeout_ms);
  options.read_timeout = std::chrono::milliseconds(config.read_timeout_ms);
  options.write_timeout = std::chrono::milliseconds(config.write_timeout_ms);
  options.tenant_allow = std::move(*allow);
  return options;
}

}  // namespace parley::app
