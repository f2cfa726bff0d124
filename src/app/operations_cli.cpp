#include "app/operations_cli.h"

#include "app/setup.h"
#include "core/crypto.h"
#include "core/json.h"
#include "core/time.h"
#include "store/sqlite/maintenance.h"
#include "store/store.h"

#include <boost/json.hpp>

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

namespace parley::app {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

constexpr int kBackupFormat = 1;
constexpr const char* kManifest = "manifest.json";
constexpr const char* kDatabaseFile = "parley.db";
constexpr const char* kKeyFile = "master.key";
constexpr const char* kMediaDir = "media";  // media::MakeFileMediaStore's directory in the data directory.
// Changing it changes every fingerprint: backups taken before could then not be checked against a key.
constexpr std::string_view kFingerprintPurpose = "parley master key fingerprint v1";

// Identifies a master key without revealing it: a hash of a key derived from it for this purpose alone.
std::string Fingerprint(const crypto::SecretBox& box) {
  return crypto::Sha256Hex(box.DeriveKey(kFingerprintPurpose)).substr(0, 16);
}

bool MissingOrEmpty(const fs::path& dir) {
  std::error_code ec;
  return !fs::exists(dir, ec) || (fs::is_directory(dir, ec) && fs::is_empty(dir, ec));
}

// `parley backup` and `restore` copy SQLite's file; a PostgreSQL server has its own tools, which see a consistent
// snapshot of a live database too. The key is what those tools cannot know about: without it the channels' stored
// tokens are unreadable.
Error PostgresBackupError(const Config& config, bool restore) {
  const std::string key = config.master_key.empty() ? config.data_dir + "/master.key" : "PARLEY_MASTER_KEY";
  if (restore) {
    return Error::InvalidArgument(
        "parley restore fills an empty SQLite data directory, and PARLEY_DATABASE_URL names PostgreSQL: restore the "
        "database with pg_restore (pg_restore --no-owner --dbname=URL parley.dump, into an empty database) and give "
        "Parley the master key the dump was taken with (" +
        key + "); see docs/operations.md");
  }
  return Error::InvalidArgument(
      "parley backup copies the embedded SQLite store, and PARLEY_DATABASE_URL names PostgreSQL: back the database "
      "up with pg_dump (pg_dump --format=custom --file=parley.dump URL), and keep the master key (" +
      key +
      ") with it, apart from the dump: without the key the channels' tokens cannot be read; see "
      "docs/operations.md");
}

// Copies `from` to the new file `to` with mode 0600 (a master key) and flushes it to disk.
Result<void> CopyPrivateFile(const fs::path& from, const fs::path& to) {
  std::error_code ec;
  fs::copy_file(from, to, fs::copy_options::none, ec);
  if (ec) return Error::Unavailable("cannot copy " + from.string() + " to " + to.string() + ": " + ec.message());
  fs::permissions(to, fs::perms::owner_read | fs::perms::owner_write, ec);
  if (ec) return Error::Unavailable("cannot restrict " + to.string() + ": " + ec.message());
  return Ok();
}

Result<json::object> ReadManifest(const fs::path& dir) {
  std::ifstream in(dir / kManifest);
  if (!in) return Error::InvalidArgument(dir.string() + " holds no " + kManifest + ": is it a Parley backup?");
  std::stringstream text;
  text << in.rdbuf();
  boost::system::error_code ec;
  json::value manifest = json::parse(text.str(), ec);
  if (ec || !manifest.is_object() || !manifest.as_object().contains("database")) {
    return Error::InvalidArgument((dir / kManifest).string() + " is not a Parley backup manifest");
  }
  if (const auto* format = manifest.as_object().if_contains("format");
      format == nullptr || !format->is_int64() || format->as_int64() != kBackupFormat) {
    return Error::InvalidArgument("this backup's format is not one this Parley reads (format " +
                                  std::to_string(kBackupFormat) + ")");
  }
  return std::move(manifest.as_object());
}

Result<int64_t> AppliedVersion(const std::string& database) {
  auto statuses = store::sqlite::ReadMigrationStatus(database);
  if (!statuses) return statuses.error();
  int64_t newest = 0;
  for (const auto& status : *statuses) {
    if (status.applied_at_ms) newest = std::max<int64_t>(newest, status.version);
  }
  return newest;
}

struct CopiedFiles {
  int64_t files = 0;
  int64_t bytes = 0;
};

// Copies the media directory `from` (absent: nothing to copy) into `to`, keeping its layout.
Result<CopiedFiles> CopyMedia(const fs::path& from, const fs::path& to) {
  CopiedFiles copied;
  std::error_code ec;
  if (!fs::exists(from, ec)) return copied;
  for (fs::recursive_directory_iterator it(from, ec), end; !ec && it != end; it.increment(ec)) {
    if (!it->is_regular_file() || it->path().filename().string().starts_with(".tmp-")) continue;
    const fs::path target = to / fs::relative(it->path(), from);
    fs::create_directories(target.parent_path(), ec);
    if (ec || !fs::copy_file(it->path(), target, fs::copy_options::overwrite_existing, ec)) break;
    ++copied.files;
    copied.bytes += static_cast<int64_t>(it->file_size(ec));
  }
  if (ec) return Error::Unavailable("cannot copy the media in " + from.string() + ": " + ec.message());
  return copied;
}

Result<json::object> WriteBackup(const Config& config, const fs::path& dir) {
  const std::string database = config.SqlitePath();
  const fs::path key_file = fs::path(config.data_dir) / kKeyFile;
  std::error_code ec;
  const bool key_in_data_dir = config.master_key.empty();
  if (key_in_data_dir && !fs::exists(key_file, ec)) {
    return Error::NotFound("there is no master key at " + key_file.string() + " (nor PARLEY_MASTER_KEY)");
  }
  auto box = LoadMasterKey(config);
  if (!box) return box.error();

  fs::create_directories(dir, ec);
  if (ec) return Error::Unavailable("cannot create " + dir.string() + ": " + ec.message());
  ::chmod(dir.c_str(), 0700);  // It holds the key to every channel token.
  auto bytes = store::sqlite::BackupDatabase(database, (dir / kDatabaseFile).string());
  if (!bytes) return bytes.error();
  auto database_sha = crypto::Sha256FileHex((dir / kDatabaseFile).string());
  if (!database_sha) return database_sha.error();
  auto version = AppliedVersion((dir / kDatabaseFile).string());
  if (!version) return version.error();

  json::object master_key{{"included", key_in_data_dir}, {"fingerprint", Fingerprint(*box)}};
  int64_t total = *bytes;
  if (key_in_data_dir) {
    if (auto copied = CopyPrivateFile(key_file, dir / kKeyFile); !copied) return copied.error();
    master_key["file"] = kKeyFile;
    total += static_cast<int64_t>(fs::file_size(dir / kKeyFile, ec));
  }
  // Customers' media after the database: its files never change once written, so every file the snapshot names is
  // there (the sweep removes a file only well after nothing names it); a file written since is an orphan the next
  // sweep removes after a restore.
  auto media = CopyMedia(fs::path(config.data_dir) / kMediaDir, dir / kMediaDir);
  if (!media) return media.error();
  total += media->bytes;
  json::object manifest{{"format", kBackupFormat},
                        {"created_at", FormatTimestamp(NowMs())},
                        {"schema_version", *version},
                        {"database", {{"file", kDatabaseFile}, {"bytes", *bytes}, {"sha256", *database_sha}}},
                        {"master_key", std::move(master_key)},
                        {"media", {{"directory", kMediaDir}, {"files", media->files}, {"bytes", media->bytes}}}};
  {
    std::ofstream out(dir / kManifest);
    out << SerializeJson(manifest) << "\n";
    out.flush();
    if (!out) return Error::Unavailable("cannot write " + (dir / kManifest).string());
  }
  total += static_cast<int64_t>(fs::file_size(dir / kManifest, ec));
  return json::object{{"path", fs::absolute(dir).string()},
                      {"bytes", total},
                      {"schema_version", *version},
                      {"master_key_included", key_in_data_dir}};
}

// Checks everything a restore needs before it writes anything.
Result<json::object> CheckBackup(const Config& config, const fs::path& from) {
  auto manifest = ReadManifest(from);
  if (!manifest) return manifest.error();
  const json::object& database = manifest->at("database").as_object();
  const fs::path database_file = from / std::string(database.at("file").as_string());
  auto sha = crypto::Sha256FileHex(database_file.string());
  if (!sha) return sha.error();
  if (*sha != database.at("sha256").as_string()) {
    return Error::InvalidArgument(database_file.string() +
                                  " does not match the manifest's checksum: the backup is "
                                  "damaged or was changed");
  }
  if (auto intact = store::sqlite::CheckIntegrity(database_file.string()); !intact) return intact.error();
  const int64_t version = manifest->at("schema_version").to_number<int64_t>();
  if (version > store::sqlite::NewestKnownVersion()) {
    return Error::Conflict("the backup's schema is at version " + std::to_string(version) +
                           ", newer than this Parley (" + std::to_string(store::sqlite::NewestKnownVersion()) +
                           "): restore it with the Parley that took it");
  }
  const json::object& key = manifest->at("master_key").as_object();
  if (!key.at("included").as_bool()) {
    if (config.master_key.empty()) {
      return Error::InvalidArgument(
          "this backup holds no master key (the server had PARLEY_MASTER_KEY): set PARLEY_MASTER_KEY to that key");
    }
    auto box = LoadMasterKey(config);
    if (!box) return box.error();
    if (Fingerprint(*box) != key.at("fingerprint").as_string()) {
      return Error::InvalidArgument(
          "PARLEY_MASTER_KEY is not the key this backup was taken with: the channels' tokens could not be read");
    }
  } else if (!config.master_key.empty()) {
    return Error::InvalidArgument(
        "this backup carries its master key, but PARLEY_MASTER_KEY is set and would be used instead: unset it");
  }
  return std::move(*manifest);
}

Result<json::object> RestoreInto(const Config& config, const fs::path& from) {
  const fs::path data_dir(config.data_dir);
  if (!MissingOrEmpty(data_dir)) {
    return Error::Conflict("the data directory " + data_dir.string() +
                           " is not empty: a restore only fills an empty one (move the old one aside first)");
  }
  auto manifest = CheckBackup(config, from);
  if (!manifest) return manifest.error();
  std::error_code ec;
  fs::create_directories(data_dir, ec);
  if (ec) return Error::Unavailable("cannot create " + data_dir.string() + ": " + ec.message());
  const json::object& database = manifest->at("database").as_object();
  // The database goes where the configuration says, which is the data directory unless PARLEY_DATABASE_URL moved it.
  const fs::path target(config.SqlitePath());
  if (fs::exists(target, ec)) return Error::Conflict(target.string() + " already exists");
  fs::create_directories(target.parent_path(), ec);
  if (auto copied = CopyPrivateFile(from / std::string(database.at("file").as_string()), target); !copied) {
    return copied.error();
  }
  const json::object& key = manifest->at("master_key").as_object();
  if (key.at("included").as_bool()) {
    auto copied = CopyPrivateFile(from / std::string(key.at("file").as_string()), data_dir / kKeyFile);
    if (!copied) return copied.error();
  }
  if (manifest->contains("media")) {
    auto media = CopyMedia(from / kMediaDir, data_dir / kMediaDir);
    if (!media) return media.error();
  }
  return json::object{{"restored", true},
                      {"data_dir", fs::absolute(data_dir).string()},
                      {"schema_version", manifest->at("schema_version")}};
}

}  // namespace

int Backup(const Config& config, const std::string& to) {
  if (config.SqlitePath().empty()) return PrintError(PostgresBackupError(config, false));
  if (!MissingOrEmpty(to))
    return PrintError(Error::Conflict(to + " exists and is not empty: back up into a new directory"));
  auto written = WriteBackup(config, to);
  if (!written) {
    std::error_code ec;
    fs::remove_all(to, ec);  // A half-written backup must not pass for one.
    return PrintError(written.error());
  }
  std::cout << SerializeJson(*written) << std::endl;
  return 0;
}

int Restore(const Config& config, const std::string& from) {
  if (config.SqlitePath().empty()) return PrintError(PostgresBackupError(config, true));
  auto restored = RestoreInto(config, from);
  if (!restored) return PrintError(restored.error());
  std::cout << SerializeJson(*restored) << std::endl;
  return 0;
}

int Migrate(const Config& config, bool status_only) {
  auto before = store::ReadMigrationStatus(config.database_url);
  if (!before) return PrintError(before.error());
  if (status_only) {
    bool unknown = false;
    for (const auto& status : *before) {
      json::object line{{"version", status.version}, {"name", status.name}};
      line["state"] = !status.known ? "unknown" : status.applied_at_ms ? "applied" : "pending";
      if (status.applied_at_ms) line["applied_at"] = FormatTimestamp(*status.applied_at_ms);
      unknown = unknown || !status.known;
      std::cout << SerializeJson(line) << "\n";
    }
    std::cout.flush();
    return unknown ? 1 : 0;
  }
  int64_t pending = 0;
  int newest_known = 0;
  for (const auto& status : *before) {
    pending += status.applied_at_ms ? 0 : 1;
    if (status.known) newest_known = std::max(newest_known, status.version);
  }
  auto store = OpenForCli(config);
  if (!store) return PrintError(store.error());
  (*store)->Close();
  json::object result{{"migrated", pending}, {"schema_version", newest_known}};
  if (pending == 0) result["up_to_date"] = true;
  std::cout << SerializeJson(result) << std::endl;
  return 0;
}

}  // namespace parley::app
