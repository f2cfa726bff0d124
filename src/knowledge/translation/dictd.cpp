#include "knowledge/translation/dictd.h"

#include "knowledge/text.h"

#include <zlib.h>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <mutex>

namespace parley::knowledge {
namespace {

// A file descriptor closed with its owner; pread on it is safe from several threads.
class File {
 public:
  explicit File(int fd) : fd_(fd) {}
  ~File() {
    if (fd_ >= 0) ::close(fd_);
  }
  File(const File&) = delete;
  File& operator=(const File&) = delete;

  // `size` bytes at `offset`, fewer at the end of the file; nullopt on a read error.
  std::optional<std::string> Read(uint64_t offset, size_t size) const {
    std::string bytes(size, '\0');
    size_t done = 0;
    while (done < size) {
      const ssize_t n = ::pread(fd_, bytes.data() + done, size - done, static_cast<off_t>(offset + done));
      if (n < 0) return std::nullopt;
      if (n == 0) break;
      done += static_cast<size_t>(n);
    }
    bytes.resize(done);
    return bytes;
  }

 private:
  int fd_;
};

uint16_t Le16(const std::string& bytes, size_t at) {
  return static_cast<uint16_t>(static_cast<uint8_t>(bytes[at]) | (static_cast<uint8_t>(bytes[at + 1]) << 8));
}

}  // namespace

std::optional<uint64_t> DecodeDictdNumber(std::string_view digits) {
  static constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  if (digits.empty() || digits.size() > 10) return std::nullopt;
  uint64_t value = 0;
  for (char c : digits) {
    const size_t digit = kAlphabet.find(c);
    if (digit == std::string_view::npos) return std::nullopt;
    value = value * 64 + digit;
  }
  return value;
}

// The entries' text. A dictzip file (gzip, RFC 1952, whose FEXTRA field has an "RA" subfield: version, chunk length,
// chunk count, then each chunk's compressed size) is read chunk by chunk: each chunk was deflated after a full flush,
// so it inflates on its own. A file without that subfield is read as plain text.
class DictdDictionary::Text {
 public:
  static Result<std::unique_ptr<Text>> Open(const std::string& path, bool compressed) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return Error::NotFound("no dictionary text at " + path);
    auto text = std::unique_ptr<Text>(new Text(fd));
    if (!compressed) return text;
    auto header = text->file_.Read(0, 65536);
    if (!header || header->size() < 12 || static_cast<uint8_t>((*header)[0]) != 0x1f ||
        static_cast<uint8_t>((*header)[1]) != 0x8b) {
      return Error::InvalidArgument(path + " is not gzip");
    }
    const auto flags = static_cast<uint8_t>((*header)[3]);
    if ((flags & 4) == 0) return Error::InvalidArgument(path + " is gzip, not dictzip (no chunk table)");
    const size_t extra_size = Le16(*header, 10);
    size_t at = 12;
    if (at + extra_size > header->size()) return Error::InvalidArgument(path + ": truncated header");
    for (size_t field = at; field + 4 <= at + extra_size;) {
      const size_t size = Le16(*header, field + 2);
      if ((*header)[field] == 'R' && (*header)[field + 1] == 'A' && size >= 6 && field + 4 + size <= at + extra_size) {
        text->chunk_length_ = Le16(*header, field + 6);
        const size_t count = Le16(*header, field + 8);
        if (size < 6 + 2 * count) return Error::InvalidArgument(path + ": truncated chunk table");
        for (size_t i = 0; i < count; ++i) text->chunk_sizes_.push_back(Le16(*header, field + 10 + 2 * i));
      }
      field += 4 + size;
    }
    if (text->chunk_length_ == 0 || text->chunk_sizes_.empty()) {
      return Error::InvalidArgument(path + " has no dictzip chunk table");
    }
    at += extra_size;
    // The name and comment end with a NUL; the header CRC is two bytes.
    for (uint8_t flag : {uint8_t{8}, uint8_t{16}}) {
      if ((flags & flag) == 0) continue;
      at = header->find('\0', at);
      if (at == std::string::npos) return Error::InvalidArgument(path + ": truncated header");
      ++at;
    }
    if ((flags & 2) != 0) at += 2;
    uint64_t offset = at;
    for (size_t size : text->chunk_sizes_) {
      text->chunk_offsets_.push_back(offset);
      offset += size;
    }
    return text;
  }

  // `size` bytes at `offset` of the uncompressed text; nullopt when they cannot be read.
  std::optional<std::string> Read(uint64_t offset, size_t size) const {
    if (chunk_length_ == 0) return file_.Read(offset, size);
    std::string bytes;
    const uint64_t first = offset / chunk_length_;
    const uint64_t last = (offset + std::max<size_t>(size, 1) - 1) / chunk_length_;
    if (last >= chunk_sizes_.size()) return std::nullopt;
    for (uint64_t chunk = first; chunk <= last; ++chunk) {
      auto inflated = Cached(chunk);
      if (!inflated) return std::nullopt;
      bytes += *inflated;
    }
    const uint64_t skip = offset - first * chunk_length_;
    if (skip + size > bytes.size()) return std::nullopt;
    return bytes.substr(skip, size);
  }

  size_t memory_bytes() const {
    return chunk_sizes_.size() * (sizeof(uint32_t) + sizeof(uint64_t)) + kCachedChunks * chunk_length_;
  }

 private:
  // Chunks kept inflated: the entries of a word and of its stem's headwords sit side by side in the text, and
  // inflating German–English's 58 KB chunks costs about a millisecond each.
  static constexpr size_t kCachedChunks = 8;

  explicit Text(int fd) : file_(fd) {}

  std::optional<std::string> Cached(uint64_t chunk) const {
    {
      std::lock_guard lock(cache_mutex_);
      for (const auto& [index, text] : cache_) {
        if (index == chunk) return text;
      }
    }
    auto inflated = Inflate(chunk);
    if (!inflated) return std::nullopt;
    std::lock_guard lock(cache_mutex_);
    if (cache_.size() < kCachedChunks) {
      cache_.emplace_back(chunk, *inflated);
    } else {
      cache_[next_evicted_] = {chunk, *inflated};
      next_evicted_ = (next_evicted_ + 1) % kCachedChunks;
    }
    return inflated;
  }

  std::optional<std::string> Inflate(uint64_t chunk) const {
    auto compressed = file_.Read(chunk_offsets_[chunk], chunk_sizes_[chunk]);
    if (!compressed) return std::nullopt;
    std::string out(chunk_length_, '\0');
    z_stream stream{};
    if (inflateInit2(&stream, -MAX_WBITS) != Z_OK) return std::nullopt;
    stream.next_in = reinterpret_cast<Bytef*>(compressed->data());
    stream.avail_in = static_cast<uInt>(compressed->size());
    stream.next_out = reinterpret_cast<Bytef*>(out.data());
    stream.avail_out = static_cast<uInt>(out.size());
    const int status = inflate(&stream, Z_SYNC_FLUSH);
    const size_t produced = out.size() - stream.avail_out;
    inflateEnd(&stream);
    if (status != Z_OK && status != Z_STREAM_END && status != Z_BUF_ERROR) return std::nullopt;
    out.resize(produced);
    return out;
  }

  File file_;
  mutable std::mutex cache_mutex_;
  mutable std::vector<std::pair<uint64_t, std::string>> cache_;  // GUARDED_BY(cache_mutex_)
  mutable size_t next_evicted_ = 0;                              // GUARDED_BY(cache_mutex_)
  uint32_t chunk_length_ = 0;                                    // 0: a plain file.
  std::vector<uint32_t> chunk_sizes_;
  std::vector<uint64_t> chunk_offsets_;
};

DictdDictionary::~DictdDictionary() = default;

Result<std::unique_ptr<DictdDictionary>> DictdDictionary::Open(const std::string& base) {
  std::ifstream index(base + ".index");
  if (!index) return Error::NotFound("no dictionary index at " + base + ".index");
  auto text = Text::Open(base + ".dict.dz", true);
  if (!text && text.error().code == ErrorCode::kNotFound) text = Text::Open(base + ".dict", false);
  if (!text) return text.error();

  auto dictionary = std::unique_ptr<DictdDictionary>(new DictdDictionary());
  dictionary->text_ = std::move(*text);
  std::string line;
  while (std::getline(index, line)) {
    const size_t tab = line.find('\t');
    const size_t second = tab == std::string::npos ? tab : line.find('\t', tab + 1);
    if (second == std::string::npos) return Error::InvalidArgument(base + ".index: a line without two tabs");
    const auto offset = DecodeDictdNumber(std::string_view(line).substr(tab + 1, second - tab - 1));
    const auto size = DecodeDictdNumber(std::string_view(line).substr(second + 1));
    if (!offset || !size) return Error::InvalidArgument(base + ".index: a position not in base 64");
    // dictd's own entries (00-database-info, …) describe the file.
    if (line.starts_with("00database") || line.starts_with("00-database")) continue;
    const std::string key = Fold(std::string_view(line).substr(0, tab));
    if (key.empty()) continue;
    dictionary->entries_.push_back({static_cast<uint32_t>(dictionary->keys_.size()), static_cast<uint32_t>(key.size()),
                                    *offset, static_cast<uint32_t>(*size)});
    dictionary->keys_ += key;
  }
  dictionary->keys_.shrink_to_fit();
  const DictdDictionary& self = *dictionary;
  std::stable_sort(dictionary->entries_.begin(), dictionary->entries_.end(),
                   [&self](const Entry& a, const Entry& b) { return self.Key(a) < self.Key(b); });
  return dictionary;
}

std::vector<std::string> DictdDictionary::Lookup(std::string_view folded) const {
  auto [begin, end] = std::equal_range(entries_.begin(), entries_.end(), folded, [this](const auto& a, const auto& b) {
    if constexpr (std::is_same_v<std::decay_t<decltype(a)>, Entry>) {
      return Key(a) < b;
    } else {
      return a < Key(b);
    }
  });
  std::vector<std::string> texts;
  for (auto it = begin; it != end; ++it) {
    auto text = text_->Read(it->offset, it->size);
    if (text) texts.push_back(std::move(*text));
  }
  return texts;
}

std::vector<std::string> DictdDictionary::HeadwordsStartingWith(std::string_view prefix, size_t limit) const {
  auto it = std::lower_bound(entries_.begin(), entries_.end(), prefix,
                             [this](const Entry& entry, std::string_view key) { return Key(entry) < key; });
  std::vector<std::string> headwords;
  for (; it != entries_.end() && headwords.size() < limit && Key(*it).starts_with(prefix); ++it) {
    if (headwords.empty() || headwords.back() != Key(*it)) headwords.emplace_back(Key(*it));
  }
  return headwords;
}

size_t DictdDictionary::memory_bytes() const {
  return keys_.capacity() + entries_.capacity() * sizeof(Entry) + text_->memory_bytes();
}

}  // namespace parley::knowledge
