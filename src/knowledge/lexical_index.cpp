#include "knowledge/lexical_index.h"

#include "core/log.h"
#include "knowledge/text.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <queue>

namespace parley::knowledge {
namespace {

// Whether two folded words begin with the same character (its whole UTF-8 sequence). Few misspellings change the
// first letter (Pollock and Zamora's study of misspellings, 1984; none of the misspelt words of tests/eval's
// development set does), while a real word one letter away from another often differs there: "groom" is no misspelt
// "room" (corrected, "how much is a full groom" asked of a coworking space quoted its rule for dogs in the rooms).
bool SameFirstLetter(std::string_view a, std::string_view b) {
  if (a.empty() || b.empty()) return a.empty() && b.empty();
  const auto lead = static_cast<unsigned char>(a.front());
  const size_t length = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
  return a.substr(0, length) == b.substr(0, length);
}

constexpr uint32_t kEnd = std::numeric_limits<uint32_t>::max();

// The whitespace-separated tokens of a BM25 text, in order.
std::vector<std::string_view> Tokens(std::string_view text) {
  std::vector<std::string_view> tokens;
  size_t begin = 0;
  while (begin < text.size()) {
    if (text[begin] == ' ' || text[begin] == '\n' || text[begin] == '\t') {
      ++begin;
      continue;
    }
    size_t end = begin;
    while (end < text.size() && text[end] != ' ' && text[end] != '\n' && text[end] != '\t') ++end;
    tokens.push_back(text.substr(begin, end - begin));
    begin = end;
  }
  return tokens;
}

// A candidate of the top k, ordered so that the heap's top is the one to evict: the lowest score, and among
// equal scores the larger ordinal (ties go to the smaller chunk id).
struct Ranked {
  double score;
  uint32_t ordinal;
};
struct EvictFirst {
  bool operator()(const Ranked& a, const Ranked& b) const {
    return a.score != b.score ? a.score > b.score : a.ordinal < b.ordinal;
  }
};

constexpr char kMagic[8] = {'P', 'L', 'Y', 'L', 'E', 'X', '0', '1'};

class Writer {
 public:
  explicit Writer(const std::string& path) : out_(path, std::ios::binary | std::ios::trunc) {}
  template <typename T>
  void Put(const T& value) {
    out_.write(reinterpret_cast<const char*>(&value), sizeof(T));
  }
  template <typename T>
  void PutArray(const std::vector<T>& values) {
    Put<uint64_t>(values.size());
    out_.write(reinterpret_cast<const char*>(values.data()), static_cast<std::streamsize>(values.size() * sizeof(T)));
  }
  void PutString(std::string_view text) {
    Put<uint32_t>(static_cast<uint32_t>(text.size()));
    out_.write(text.data(), static_cast<std::streamsize>(text.size()));
  }
  bool Finish() {
    out_.flush();
    return static_cast<bool>(out_);
  }

 private:
  std::ofstream out_;
};

// Reads what Writer wrote; any short read or implausible size fails the whole load.
class Reader {
 public:
  explicit Reader(const std::string& path) : in_(path, std::ios::binary) {
    std::error_code error;
    remaining_ = std::filesystem::file_size(path, error);
    if (error) remaining_ = 0;
  }
  bool ok() const { return ok_ && static_cast<bool>(in_); }
  template <typename T>
  T Get() {
    T value{};
    if (Take(sizeof(T))) in_.read(reinterpret_cast<char*>(&value), sizeof(T));
    return value;
  }
  template <typename T>
  std::vector<T> GetArray() {
    auto count = Get<uint64_t>();
    std::vector<T> values;
    if (!ok() || count > remaining_ / sizeof(T)) {
      ok_ = false;
      return values;
    }
    values.resize(count);
    Take(count * sizeof(T));
    in_.read(reinterpret_cast<char*>(values.data()), static_cast<std::streamsize>(count * sizeof(T)));
    return values;
  }
  std::string GetString() {
    auto size = Get<uint32_t>();
    std::string text;
    if (!ok() || !Take(size)) return text;
    text.resize(size);
    in_.read(text.data(), size);
    return text;
  }
  bool AtEnd() const { return remaining_ == 0; }

 private:
  bool Take(uint64_t bytes) {
    if (bytes > remaining_) ok_ = false;
    if (ok_) remaining_ -= bytes;
    return ok_;
  }
  std::ifstream in_;
  uint64_t remaining_ = 0;
  bool ok_ = true;
};

}  // namespace

// A query term's position in its posting list, and what its occurrences are worth.
struct LexicalIndex::Cursor {
  const Postings* postings;
  size_t position = 0;
  double idf = 0;
  double upper_bound = 0;  //!< No document scores more than this for the term.

  uint32_t document() const { return position < postings->documents.size() ? postings->documents[position] : kEnd; }
  // Moves to the first posting at or after `target`: galloping, then a binary search, since the common terms'
  // lists are long and only probed here and there.
  void SeekTo(uint32_t target) {
    const auto& documents = postings->documents;
    if (position >= documents.size() || documents[position] >= target) return;
    size_t step = 1;
    size_t low = position;
    while (low + step < documents.size() && documents[low + step] < target) {
      low += step;
      step *= 2;
    }
    size_t high = std::min(low + step + 1, documents.size());
    position = static_cast<size_t>(std::lower_bound(documents.begin() + static_cast<std::ptrdiff_t>(low),
                                                    documents.begin() + static_cast<std::ptrdiff_t>(high), target) -
                                   documents.begin());
  }
};

void LexicalIndex::Add(int64_t chunk_id, std::string_view lexical_text) {
  if (!chunk_ids_.empty() && chunk_id <= chunk_ids_.back()) return;
  auto tokens = Tokens(lexical_text);
  auto ordinal = static_cast<uint32_t>(chunk_ids_.size());
  auto length = static_cast<uint32_t>(tokens.size());
  chunk_ids_.push_back(chunk_id);
  lengths_.push_back(length);
  removed_.push_back(false);
  total_length_ += length;
  ++live_;
  std::erase_if(tokens, [](std::string_view token) { return IsStopWord(token); });
  std::sort(tokens.begin(), tokens.end());
  for (size_t i = 0; i < tokens.size();) {
    size_t run = i;
    while (run < tokens.size() && tokens[run] == tokens[i]) ++run;
    auto frequency = static_cast<uint16_t>(std::min<size_t>(run - i, std::numeric_limits<uint16_t>::max()));
    auto [term, added] = terms_.try_emplace(std::string(tokens[i]));
    if (added) spelling_.Add(term->first);
    auto& postings = term->second;
    postings.documents.push_back(ordinal);
    postings.frequencies.push_back(frequency);
    postings.max_frequency = std::max(postings.max_frequency, frequency);
    postings.min_length = std::min(postings.min_length, length);
    i = run;
  }
}

void LexicalIndex::Remove(int64_t chunk_id) {
  auto found = std::lower_bound(chunk_ids_.begin(), chunk_ids_.end(), chunk_id);
  if (found == chunk_ids_.end() || *found != chunk_id) return;
  auto ordinal = static_cast<size_t>(found - chunk_ids_.begin());
  if (removed_[ordinal]) return;
  removed_[ordinal] = true;
  --live_;
  if ((chunk_ids_.size() - live_) * 4 > chunk_ids_.size()) Compact();
}

void LexicalIndex::Compact() {
  std::vector<uint32_t> renumbered(chunk_ids_.size(), kEnd);
  std::vector<int64_t> chunk_ids;
  std::vector<uint32_t> lengths;
  chunk_ids.reserve(live_);
  lengths.reserve(live_);
  total_length_ = 0;
  for (size_t ordinal = 0; ordinal < chunk_ids_.size(); ++ordinal) {
    if (removed_[ordinal]) continue;
    renumbered[ordinal] = static_cast<uint32_t>(chunk_ids.size());
    chunk_ids.push_back(chunk_ids_[ordinal]);
    lengths.push_back(lengths_[ordinal]);
    total_length_ += lengths_[ordinal];
  }
  for (auto term = terms_.begin(); term != terms_.end();) {
    Postings kept;
    const Postings& old = term->second;
    for (size_t i = 0; i < old.documents.size(); ++i) {
      uint32_t ordinal = renumbered[old.documents[i]];
      if (ordinal == kEnd) continue;
      kept.documents.push_back(ordinal);
      kept.frequencies.push_back(old.frequencies[i]);
      kept.max_frequency = std::max(kept.max_frequency, old.frequencies[i]);
      kept.min_length = std::min(kept.min_length, lengths[ordinal]);
    }
    if (kept.documents.empty()) {
      term = terms_.erase(term);
    } else {
      term->second = std::move(kept);
      ++term;
    }
  }
  chunk_ids_ = std::move(chunk_ids);
  lengths_ = std::move(lengths);
  removed_.assign(chunk_ids_.size(), false);
  RebuildSpelling();
}

void LexicalIndex::RebuildSpelling() {
  spelling_.Clear();
  for (const auto& [term, postings] : terms_) spelling_.Add(term);
  spelling_.Settle();
}

size_t LexicalIndex::DocumentFrequency(std::string_view term) const {
  auto found = terms_.find(std::string(term));
  return found == terms_.end() ? 0 : found->second.documents.size();
}

std::optional<Suggestion> LexicalIndex::Suggest(std::string_view word) const {
  std::optional<Suggestion> best;
  for (const SpellingCandidate& candidate : spelling_.Lookup(word, SpellingDictionary::MaxDistance(word))) {
    const std::string& term = spelling_.term(candidate.id);
    if (!SameFirstLetter(word, term)) continue;
    auto frequency = static_cast<uint32_t>(terms_.at(term).documents.size());
    if (!best || candidate.distance < best->distance ||
        (candidate.distance == best->distance &&
         (frequency > best->frequency || (frequency == best->frequency && term < best->term)))) {
      best = Suggestion{term, candidate.distance, frequency};
    }
  }
  return best;
}

std::vector<LexicalHit> LexicalIndex::Search(const std::vector<std::string>& terms, size_t k) const {
  std::vector<LexicalHit> hits;
  if (k == 0 || live_ == 0) return hits;
  const double documents = static_cast<double>(chunk_ids_.size());
  const double average_length = static_cast<double>(total_length_) / documents;
  const double k1 = options_.k1;
  // tf·(k1 + 1) / (tf + k1·(1 − b + b·length/average)): the length part is the same for every term of a document.
  auto normalization = [&](uint32_t length) {
    return k1 * (1 - options_.b + options_.b * static_cast<double>(length) / average_length);
  };
  auto saturation = [&](double frequency, double norm) { return frequency * (k1 + 1) / (frequency + norm); };

  std::vector<Cursor> cursors;
  std::vector<std::string_view> seen;
  for (const auto& term : terms) {
    if (std::find(seen.begin(), seen.end(), term) != seen.end()) continue;
    seen.push_back(term);
    auto found = terms_.find(term);
    if (found == terms_.end()) continue;
    const Postings& postings = found->second;
    double frequency = static_cast<double>(postings.documents.size());
    // Lucene's IDF, which stays positive for a term in most documents (FTS5's goes to zero there).
    double idf = std::log(1 + (documents - frequency + 0.5) / (frequency + 0.5));
    double bound = idf * saturation(postings.max_frequency, normalization(postings.min_length));
    cursors.push_back({&postings, 0, idf, bound});
  }
  if (cursors.empty()) return hits;
  // MaxScore: terms by increasing bound; `reach[i]` is what terms 0..i can add together. Terms whose reach does
  // not exceed the k-th best score are non-essential: a document holding only them cannot enter the top k.
  std::sort(cursors.begin(), cursors.end(),
            [](const Cursor& a, const Cursor& b) { return a.upper_bound < b.upper_bound; });
  std::vector<double> reach(cursors.size());
  double sum = 0;
  for (size_t i = 0; i < cursors.size(); ++i) reach[i] = sum += cursors[i].upper_bound;

  std::priority_queue<Ranked, std::vector<Ranked>, EvictFirst> best;
  double threshold = 0;
  size_t essential = 0;
  while (true) {
    uint32_t document = kEnd;
    for (size_t i = essential; i < cursors.size(); ++i) document = std::min(document, cursors[i].document());
    if (document == kEnd) break;
    double norm = normalization(lengths_[document]);
    double score = 0;
    for (size_t i = essential; i < cursors.size(); ++i) {
      Cursor& cursor = cursors[i];
      if (cursor.document() != document) continue;
      score += cursor.idf * saturation(cursor.postings->frequencies[cursor.position], norm);
      ++cursor.position;
    }
    if (removed_[document]) continue;
    bool full = best.size() == k;
    bool pruned = false;
    for (size_t i = essential; i-- > 0;) {
      if (full && score + reach[i] <= threshold) {
        pruned = true;
        break;
      }
      Cursor& cursor = cursors[i];
      cursor.SeekTo(document);
      if (cursor.document() == document) {
        score += cursor.idf * saturation(cursor.postings->frequencies[cursor.position], norm);
      }
    }
    if (pruned || (full && score <= threshold)) continue;
    best.push({score, document});
    if (best.size() > k) best.pop();
    if (best.size() == k) {
      threshold = best.top().score;
      while (essential < cursors.size() && reach[essential] <= threshold) ++essential;
    }
  }
  hits.resize(best.size());
  for (size_t i = best.size(); i-- > 0;) {
    hits[i] = {chunk_ids_[best.top().ordinal], best.top().score};
    best.pop();
  }
  return hits;
}

Result<void> LexicalIndex::Save(const std::string& path, const StorePosition& position) const {
  return ReplaceFile(path, "lexical index", [&](const std::string& temporary) -> Result<void> {
    Writer out(temporary);
    out.Put(kMagic);
    out.Put(position.after_chunk_id);
    out.Put(position.after_deletion_seq);
    out.PutArray(chunk_ids_);
    out.PutArray(lengths_);
    out.PutArray(std::vector<uint8_t>(removed_.begin(), removed_.end()));
    out.Put<uint64_t>(terms_.size());
    for (const auto& [term, postings] : terms_) {
      out.PutString(term);
      out.PutArray(postings.documents);
      out.PutArray(postings.frequencies);
    }
    if (!out.Finish()) return Error::Unavailable("cannot write the lexical index", temporary);
    return Ok();
  });
}

Result<std::unique_ptr<LexicalIndex>> LexicalIndex::Load(const std::string& path, StorePosition* position,
                                                         Bm25Options options) {
  auto unreadable = [&] { return Error::Unavailable("cannot read the lexical index", path); };
  Reader in(path);
  auto magic = in.Get<std::array<char, sizeof(kMagic)>>();
  if (!in.ok() || !std::equal(magic.begin(), magic.end(), kMagic)) return unreadable();
  StorePosition read_position;
  read_position.after_chunk_id = in.Get<int64_t>();
  read_position.after_deletion_seq = in.Get<int64_t>();
  auto index = std::make_unique<LexicalIndex>(options);
  index->chunk_ids_ = in.GetArray<int64_t>();
  index->lengths_ = in.GetArray<uint32_t>();
  auto removed = in.GetArray<uint8_t>();
  size_t count = index->chunk_ids_.size();
  if (!in.ok() || index->lengths_.size() != count || removed.size() != count ||
      !std::is_sorted(index->chunk_ids_.begin(), index->chunk_ids_.end())) {
    return unreadable();
  }
  index->removed_.assign(removed.begin(), removed.end());
  for (size_t ordinal = 0; ordinal < count; ++ordinal) {
    index->total_length_ += index->lengths_[ordinal];
    if (!removed[ordinal]) ++index->live_;
  }
  auto terms = in.Get<uint64_t>();
  for (uint64_t t = 0; t < terms && in.ok(); ++t) {
    std::string term = in.GetString();
    Postings postings;
    postings.documents = in.GetArray<uint32_t>();
    postings.frequencies = in.GetArray<uint16_t>();
    if (!in.ok() || postings.documents.empty() || postings.frequencies.size() != postings.documents.size()) {
      return unreadable();
    }
    for (size_t i = 0; i < postings.documents.size(); ++i) {
      uint32_t ordinal = postings.documents[i];
      if (ordinal >= count || (i > 0 && ordinal <= postings.documents[i - 1])) return unreadable();
      postings.max_frequency = std::max(postings.max_frequency, postings.frequencies[i]);
      postings.min_length = std::min(postings.min_length, index->lengths_[ordinal]);
    }
    index->terms_.emplace(std::move(term), std::move(postings));
  }
  if (!in.ok() || !in.AtEnd()) return unreadable();
  index->RebuildSpelling();
  *position = read_position;
  return index;
}

// ---------------------------------------------------------------------------------------------------------------

namespace {
constexpr int kCatchUpPage = 4096;
}  // namespace

LexicalCatalog::LexicalCatalog(store::KnowledgeStore& store, std::string directory, Bm25Options options)
    : store_(store), directory_(std::move(directory)), options_(options) {
  if (!directory_.empty()) {
    std::error_code ignored;
    std::filesystem::create_directories(directory_, ignored);
  }
}

std::string LexicalCatalog::PathFor(int64_t knowledge_base_id) const {
  return directory_ + "/kb" + std::to_string(knowledge_base_id) + ".bm25";
}

Result<void> LexicalCatalog::CatchUp(int64_t knowledge_base_id, Entries::Entry& entry) {
  {
    std::unique_lock lock(entry.mutex);
    if (!entry.index) {
      std::string path = PathFor(knowledge_base_id);
      if (!directory_.empty() && std::filesystem::exists(path)) {
        auto loaded = LexicalIndex::Load(path, &entry.position, options_);
        if (loaded) {
          entry.index = std::move(*loaded);
        } else {
          log::Warn("lexical_index_rebuild", {{"knowledge_base_id", knowledge_base_id}, {"reason", "unreadable file"}});
        }
      }
      if (!entry.index) {
        entry.index = std::make_unique<LexicalIndex>(options_);
        entry.position = {};
      }
    }
  }
  auto read = [&](int64_t after, int limit) { return store_.ChunkTextsAfter(knowledge_base_id, after, limit); };
  auto add = [](LexicalIndex& index, std::span<const store::ChunkText> chunks) -> Result<void> {
    for (const auto& chunk : chunks) index.Add(chunk.chunk_id, chunk.lexical_text);
    index.SettleSpelling();
    return Ok();
  };
  return CatchUpWithStore(store_, knowledge_base_id, entry, kCatchUpPage, read, add);
}

Result<std::vector<LexicalHit>> LexicalCatalog::Search(const std::vector<int64_t>& knowledge_base_ids,
                                                       const std::vector<std::string>& terms, size_t k) {
  std::vector<LexicalHit> hits;
  if (terms.empty() || k == 0) return hits;
  for (int64_t knowledge_base_id : knowledge_base_ids) {
    auto& entry = entries_.For(knowledge_base_id);
    auto caught_up = CatchUp(knowledge_base_id, entry);
    if (!caught_up) return caught_up.error();
    std::shared_lock lock(entry.mutex);
    auto found = entry.index->Search(terms, k);
    hits.insert(hits.end(), found.begin(), found.end());
  }
  std::sort(hits.begin(), hits.end(), [](const LexicalHit& a, const LexicalHit& b) {
    return a.score != b.score ? a.score > b.score : a.chunk_id < b.chunk_id;
  });
  if (hits.size() > k) hits.resize(k);
  return hits;
}

Result<std::vector<std::string>> LexicalCatalog::Correct(const std::vector<int64_t>& knowledge_base_ids,
                                                         const std::vector<QueryWord>& words) {
  std::vector<std::optional<Suggestion>> best(words.size());
  std::vector<bool> known(words.size(), false);
  for (int64_t knowledge_base_id : knowledge_base_ids) {
    auto& entry = entries_.For(knowledge_base_id);
    auto caught_up = CatchUp(knowledge_base_id, entry);
    if (!caught_up) return caught_up.error();
    std::shared_lock lock(entry.mutex);
    for (size_t i = 0; i < words.size(); ++i) {
      known[i] = known[i] || entry.index->Contains(words[i].word) || entry.index->Contains(words[i].stem);
    }
    for (size_t i = 0; i < words.size(); ++i) {
      if (known[i]) continue;
      auto suggestion = entry.index->Suggest(words[i].word);
      if (suggestion && (!best[i] || suggestion->distance < best[i]->distance ||
                         (suggestion->distance == best[i]->distance && suggestion->frequency > best[i]->frequency))) {
        best[i] = std::move(suggestion);
      }
    }
  }
  std::vector<std::string> corrections(words.size());
  for (size_t i = 0; i < words.size(); ++i) {
    if (!known[i] && best[i]) corrections[i] = best[i]->term;
  }
  return corrections;
}

Result<LexicalCatalog::TermStatistics> LexicalCatalog::Statistics(const std::vector<int64_t>& knowledge_base_ids,
                                                                  const std::vector<std::string>& terms) {
  TermStatistics statistics;
  statistics.frequencies.assign(terms.size(), 0);
  for (int64_t knowledge_base_id : knowledge_base_ids) {
    auto& entry = entries_.For(knowledge_base_id);
    auto caught_up = CatchUp(knowledge_base_id, entry);
    if (!caught_up) return caught_up.error();
    std::shared_lock lock(entry.mutex);
    statistics.chunks += entry.index->size();
    for (size_t i = 0; i < terms.size(); ++i) statistics.frequencies[i] += entry.index->DocumentFrequency(terms[i]);
  }
  return statistics;
}

Result<void> LexicalCatalog::Refresh(int64_t knowledge_base_id) {
  return CatchUp(knowledge_base_id, entries_.For(knowledge_base_id));
}

Result<void> LexicalCatalog::Flush() {
  if (directory_.empty()) return Ok();
  return entries_.SaveChanged([this](int64_t knowledge_base_id, const Entries::Entry& entry) {
    return entry.index->Save(PathFor(knowledge_base_id), entry.position);
  });
}

}  // namespace parley::knowledge
