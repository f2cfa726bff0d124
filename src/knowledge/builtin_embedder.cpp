#include "knowledge/embedder.h"

#include "knowledge/text.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <unordered_map>

namespace parley::knowledge {
namespace {

// Relative weights of the feature families, tuned on FAQ-style questions (tests/unit/knowledge). The n-grams of a
// word share one budget; at 1.5 (2.25 times the stem's squared norm) a typo that loses the stem keeps most of the
// word's similarity, while a correctly spelled inflection still matches on both. Word pairs only break ties.
constexpr float kStemWeight = 1.0f;
constexpr float kNgramBudget = 1.5f;
constexpr float kPairWeight = 0.3f;

// Distinct seeds keep a stem and an n-gram with the same letters apart.
enum class Family : unsigned char { kStem = 1, kNgram = 2 };

// The MurmurHash3 finalizer: FNV alone leaves the high bits (the sign) poorly mixed on short keys.
uint64_t Mix(uint64_t hash) {
  hash ^= hash >> 33;
  hash *= 0xff51afd7ed558ccdULL;
  hash ^= hash >> 33;
  hash *= 0xc4ceb9fe1a85ec53ULL;
  hash ^= hash >> 33;
  return hash;
}

// FNV-1a 64, mixed. Fixed by this code, unlike std::hash, so vectors stay comparable across builds and machines.
uint64_t Hash(Family family, std::string_view key) {
  uint64_t hash = 0xcbf29ce484222325ULL;
  auto add = [&hash](unsigned char byte) {
    hash ^= byte;
    hash *= 0x100000001b3ULL;
  };
  add(static_cast<unsigned char>(family));
  for (char c : key) add(static_cast<unsigned char>(c));
  return Mix(hash);
}

struct Feature {
  uint64_t hash = 0;
  float weight = 0;
};

// Character 3- and 4-grams of "<stem>", on code point boundaries, all together weighing `kNgramBudget`. Taken
// from the stem rather than the word: suffixes such as "ing>" would make unrelated words look alike.
void AddNgrams(std::string_view stem, std::vector<Feature>& features) {
  std::string padded;
  padded.reserve(stem.size() + 2);
  padded.push_back('<');
  padded.append(stem);
  padded.push_back('>');
  std::vector<size_t> starts;
  for (size_t i = 0; i < padded.size(); ++i) {
    if ((static_cast<unsigned char>(padded[i]) & 0xC0) != 0x80) starts.push_back(i);
  }
  size_t length = starts.size();
  starts.push_back(padded.size());
  size_t count = (length >= 3 ? length - 2 : 0) + (length >= 4 ? length - 3 : 0);
  if (count == 0) return;
  float weight = kNgramBudget / std::sqrt(static_cast<float>(count));
  std::string_view view(padded);
  for (size_t n = 3; n <= 4; ++n) {
    for (size_t i = 0; i + n <= length; ++i) {
      features.push_back({Hash(Family::kNgram, view.substr(starts[i], starts[i + n] - starts[i])), weight});
    }
  }
}

}  // namespace

BuiltinEmbedder::BuiltinEmbedder(BuiltinEmbedderOptions options) : options_(std::move(options)) {
  if (options_.dimensions < 1) throw std::invalid_argument("builtin embedder needs at least one dimension");
  // "fr" and "french" give the same vectors, so they must give the same id.
  options_.language = Stemmer(options_.language).language();
}

std::string BuiltinEmbedder::id() const {
  return "builtin-v1-" + std::to_string(options_.dimensions) + "-" + options_.language;
}

boost::asio::awaitable<Result<std::vector<Vector>>> BuiltinEmbedder::Embed(std::vector<std::string> texts) {
  std::vector<Vector> vectors;
  vectors.reserve(texts.size());
  for (const auto& text : texts) vectors.push_back(EmbedOne(text));
  co_return vectors;
}

Vector BuiltinEmbedder::EmbedOne(std::string_view text) const {
  Stemmer& stemmer = ThreadStemmer(options_.language);
  std::vector<Feature> features;
  std::string previous_stem;
  for (const auto& word : Words(Fold(text))) {
    if (IsStopWord(word)) continue;
    std::string stem = stemmer.Stem(word);
    features.push_back({Hash(Family::kStem, stem), kStemWeight});
    AddNgrams(stem, features);
    // A pair is keyed by its two stems run together, which is also the stem of the compound word in most cases,
    // so "Wi-Fi" matches "wifi" and "e-mail" matches "email".
    if (!previous_stem.empty()) features.push_back({Hash(Family::kStem, previous_stem + stem), kPairWeight});
    previous_stem = std::move(stem);
  }

  // Sublinear term frequency: a feature seen tf times counts its mean weight × (1 + ln tf), so a word repeated
  // through a long chunk does not drown the others.
  std::sort(features.begin(), features.end(), [](const Feature& a, const Feature& b) { return a.hash < b.hash; });
  Vector vector(static_cast<size_t>(options_.dimensions), 0.0f);
  const auto dimensions = static_cast<uint64_t>(options_.dimensions);
  for (size_t i = 0; i < features.size();) {
    size_t end = i;
    float total = 0;
    while (end < features.size() && features[end].hash == features[i].hash) total += features[end++].weight;
    auto tf = static_cast<float>(end - i);
    float value = total / tf * (1.0f + std::log(tf));
    // The index comes from the low bits and the sign from the top one, so collisions cancel out on average.
    uint64_t hash = features[i].hash;
    vector[(hash & 0xffffffffULL) % dimensions] += (hash >> 63) != 0 ? -value : value;
    i = end;
  }

  float norm = 0;
  for (float x : vector) norm += x * x;
  if (norm > 0) {
    float scale = 1.0f / std::sqrt(norm);
    for (float& x : vector) x *= scale;
  }
  return vector;
}

}  // namespace parley::knowledge
