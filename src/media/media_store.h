#pragma once
// Where media bytes live. A file is addressed by its content (the SHA-256 of its bytes, its key), per tenant, so the
// same photo sent twice is kept once and one tenant's files never share anything with another's; links reach it
// only through a media's random public id and a signed URL (media/signed_url.h), never by its key. Which keys are
// still used is the store's business (store/media_records.h): RemoveUnreferenced drops the rest.
// All methods block (file I/O): call them from the blocking pool. Thread-safe.

#include "core/error.h"

#include <chrono>
#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace parley::media {

class MediaStore {
 public:
  virtual ~MediaStore() = default;

  // Keeps `bytes` for the tenant and returns its key (64 lower-case hex characters). Storing the same bytes again
  // returns the same key and writes nothing. A file appears whole or not at all (written aside, then renamed).
  // kUnavailable when it cannot be written.
  virtual Result<std::string> Put(int64_t tenant_id, std::string_view bytes) = 0;

  // The bytes under `key`. kNotFound when the tenant has no such file (or `key` is not a key).
  virtual Result<std::string> Get(int64_t tenant_id, std::string_view key) = 0;

  // Deletes the file; Ok when it was already gone.
  virtual Result<void> Remove(int64_t tenant_id, std::string_view key) = 0;

  // The bytes the tenant's files take.
  virtual Result<int64_t> UsageBytes(int64_t tenant_id) = 0;

  // Tenants that have files.
  virtual Result<std::vector<int64_t>> Tenants() = 0;

  // Deletes the tenant's files whose key is not in `keep` and that were written before `written_before` (a file
  // just written is kept until its record names it), and returns how many went.
  virtual Result<int64_t> RemoveUnreferenced(int64_t tenant_id, const std::set<std::string>& keep,
                                             std::chrono::system_clock::time_point written_before) = 0;
};

// Files under `root` (PARLEY_DATA_DIR/media): root/<tenant>/<first two hex characters>/<key>. The directory is
// created when first written. In scale-out every process must see the same directory (docs/media.md).
std::unique_ptr<MediaStore> MakeFileMediaStore(std::string root);

}  // namespace parley::media
