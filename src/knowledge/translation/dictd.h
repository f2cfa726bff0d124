#pragma once
// A dictionary in dictd's format, as Debian's dict-freedict-* packages install it: `NAME.index`, one line per entry
// (`headword TAB offset TAB length`, both numbers in dictd's base 64), and `NAME.dict.dz`, the entries' text
// compressed by dictzip: gzip whose header lists independently deflated chunks, so one entry is read by inflating
// the one or two chunks that hold it instead of the whole file (100 MB for German–English).
//
// Only the index is held in memory (its headwords folded, sorted); entries are read from the file when looked up.

#include "core/error.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace parley::knowledge {

class DictdDictionary {
 public:
  // Reads `base`.index and opens `base`.dict.dz (or `base`.dict, uncompressed). kNotFound when either file is
  // missing; kInvalidArgument when they are not in dictd's format. Blocks (0.1 s for German–English's 520,000
  // entries).
  static Result<std::unique_ptr<DictdDictionary>> Open(const std::string& base);
  ~DictdDictionary();

  // The text of every entry whose headword folds (knowledge/text.h Fold) to `folded`, in the index's order; empty
  // when none does. An entry that cannot be read (a damaged file) is left out. Thread-safe.
  std::vector<std::string> Lookup(std::string_view folded) const;

  // The distinct folded headwords that start with `prefix`, in sorted order, at most `limit`. Thread-safe.
  std::vector<std::string> HeadwordsStartingWith(std::string_view prefix, size_t limit) const;

  size_t size() const { return entries_.size(); }
  // Bytes held in memory: the folded headwords and the entries' positions.
  size_t memory_bytes() const;

 private:
  struct Entry {
    uint32_t key_offset;  // Into keys_.
    uint32_t key_size;
    uint64_t offset;  // In the uncompressed text.
    uint32_t size;
  };
  class Text;  // The entries' text: dictzip chunks or a plain file.

  DictdDictionary() = default;
  std::string_view Key(const Entry& entry) const { return {keys_.data() + entry.key_offset, entry.key_size}; }

  std::string keys_;            // Every folded headword, back to back.
  std::vector<Entry> entries_;  // Sorted by key, then by position in the index.
  std::unique_ptr<Text> text_;
};

// dictd's base 64 number ("Bjm" → 1 × 64² + 35 × 64 + 38); nullopt for a character outside its alphabet or more
// than ten digits.
std::optional<uint64_t> DecodeDictdNumber(std::string_view digits);

}  // namespace parley::knowledge
