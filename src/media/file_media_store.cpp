// The default MediaStore: content-addressed files under the data directory.

#include "core/crypto.h"
#include "media/media_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace parley::media {
namespace {

namespace fs = std::filesystem;

bool IsKey(std::string_view key) {
  return key.size() == 64 &&
         std::all_of(key.begin(), key.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

Error IoError(const std::string& what, const fs::path& path, const std::string& why) {
  return Error::Unavailable("media storage failed", what + " " + path.string() + ": " + why);
}

// Writes `bytes` to `path` and flushes them to the disk, so that a record marked ready after it never names a file
// a crash emptied.
Result<void> WriteDurably(const fs::path& path, std::string_view bytes) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return IoError("open", path, std::strerror(errno));
  size_t written = 0;
  while (written < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + written, bytes.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      std::string why = std::strerror(errno);
      ::close(fd);
      return IoError("write", path, why);
    }
    written += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) {
    std::string why = std::strerror(errno);
    ::close(fd);
    return IoError("fsync", path, why);
  }
  ::close(fd);
  return Ok();
}

void SyncDirectory(const fs::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  (void)::fsync(fd);  // Best effort: the rename is already visible to every reader.
  ::close(fd);
}

class FileMediaStore final : public MediaStore {
 public:
  explicit FileMediaStore(std::string root) : root_(std::move(root)) {}

  Result<std::string> Put(int64_t tenant_id, std::string_view bytes) override {
    std::string key = crypto::Sha256Hex(bytes);
    fs::path path = PathOf(tenant_id, key);
    std::error_code ec;
    if (fs::exists(path, ec)) return key;
    fs::create_directories(path.parent_path(), ec);
    if (ec) return IoError("mkdir", path.parent_path(), ec.message());
    fs::path temporary = path.parent_path() / (".tmp-" + crypto::RandomToken(12));
    if (auto written = WriteDurably(temporary, bytes); !written) {
      fs::remove(temporary, ec);
      return written.error();
    }
    fs::rename(temporary, path, ec);
    if (ec) {
      std::error_code ignored;
      fs::remove(temporary, ignored);
      return IoError("rename", path, ec.message());
    }
    SyncDirectory(path.parent_path());
    return key;
  }

  Result<std::string> Get(int64_t tenant_id, std::string_view key) override {
    if (!IsKey(key)) return Error::NotFound("no such media");
    std::ifstream in(PathOf(tenant_id, key), std::ios::binary);
    if (!in) return Error::NotFound("no such media");
    std::ostringstream bytes;
    bytes << in.rdbuf();
    if (in.bad()) return IoError("read", PathOf(tenant_id, key), "stream error");
    return std::move(bytes).str();
  }

  Result<void> Remove(int64_t tenant_id, std::string_view key) override {
    if (!IsKey(key)) return Ok();
    std::error_code ec;
    fs::remove(PathOf(tenant_id, key), ec);
    if (ec) return IoError("remove", PathOf(tenant_id, key), ec.message());
    return Ok();
  }

  Result<int64_t> UsageBytes(int64_t tenant_id) override {
    int64_t total = 0;
    auto counted = ForEachFile(tenant_id, [&](const fs::directory_entry& entry) {
      std::error_code ec;
      auto size = entry.file_size(ec);
      if (!ec) total += static_cast<int64_t>(size);
    });
    if (!counted) return counted.error();
    return total;
  }

  Result<std::vector<int64_t>> Tenants() override {
    std::vector<int64_t> tenants;
    std::error_code ec;
    if (!fs::exists(root_, ec)) return tenants;
    for (fs::directory_iterator it(root_, ec), end; !ec && it != end; it.increment(ec)) {
      std::string name = it->path().filename().string();
      int64_t id = 0;
      auto [ptr, err] = std::from_chars(name.data(), name.data() + name.size(), id);
      if (err == std::errc() && ptr == name.data() + name.size() && it->is_directory()) tenants.push_back(id);
    }
    if (ec) return IoError("list", root_, ec.message());
    std::sort(tenants.begin(), tenants.end());
    return tenants;
  }

  Result<int64_t> RemoveUnreferenced(int64_t tenant_id, const std::set<std::string>& keep,
                                     std::chrono::system_clock::time_point written_before) override {
    std::vector<fs::path> unreferenced;
    auto listed = ForEachFile(tenant_id, [&](const fs::directory_entry& entry) {
      std::string name = entry.path().filename().string();
      if (keep.contains(name)) return;
      std::error_code ec;
      auto written = entry.last_write_time(ec);
      if (ec) return;
      auto written_at = std::chrono::file_clock::to_sys(written);
      // Unfinished writes (".tmp-…") of a process that died are as unreferenced as any file.
      if (written_at < written_before) unreferenced.push_back(entry.path());
    });
    if (!listed) return listed.error();
    int64_t removed = 0;
    for (const auto& path : unreferenced) {
      std::error_code ec;
      if (fs::remove(path, ec)) ++removed;
    }
    return removed;
  }

 private:
  fs::path PathOf(int64_t tenant_id, std::string_view key) const {
    return root_ / std::to_string(tenant_id) / std::string(key.substr(0, 2)) / std::string(key);
  }

  template <class Fn>
  Result<void> ForEachFile(int64_t tenant_id, Fn&& fn) {
    fs::path dir = root_ / std::to_string(tenant_id);
    std::error_code ec;
    if (!fs::exists(dir, ec)) return Ok();
    for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
      if (it->is_regular_file()) fn(*it);
    }
    if (ec) return IoError("list", dir, ec.message());
    return Ok();
  }

  const fs::path root_;
};

}  // namespace

std::unique_ptr<MediaStore> MakeFileMediaStore(std::string root) {
  return std::make_unique<FileMediaStore>(std::move(root));
}

}  // namespace parley::media
