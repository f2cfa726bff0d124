#pragma once
// A read-only view of a file's bytes, for parsing a request body the server streamed to disk
// (RouteContext::body_file) without copying it into memory first: the pages come from the page cache and are
// shared, not the process's own heap.

#include "core/error.h"

#include <filesystem>
#include <string_view>

namespace parley::http {

class MappedFile {
 public:
  // Maps the whole file. kInternal when it cannot be opened or mapped; an empty file gives an empty view.
  static Result<MappedFile> Open(const std::filesystem::path& path);

  MappedFile() = default;
  MappedFile(MappedFile&& other) noexcept;
  MappedFile& operator=(MappedFile&& other) noexcept;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  ~MappedFile();

  //! Valid while this object lives.
  std::string_view bytes() const { return {static_cast<const char*>(data_), size_}; }

 private:
  void* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace parley::http
