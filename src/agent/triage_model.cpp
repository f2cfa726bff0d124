#include "agent/triage_model.h"

#include "knowledge/text.h"

#include <algorithm>
#include <cmath>
#include <fstream>

namespace parley::agent::triage {
namespace {

constexpr size_t kMaxFoldedBytes = 2000;
constexpr uint32_t kBucketMask = (1u << kHashBits) - 1;

// FNV-1a over a kind tag and the feature's text: the tag keeps a word apart from the character n-gram it spells.
uint32_t Bucket(char kind, std::string_view text) {
  uint32_t hash = 2166136261u;
  auto mix = [&](unsigned char byte) {
    hash ^= byte;
    hash *= 16777619u;
  };
  mix(static_cast<unsigned char>(kind));
  for (char c : text) mix(static_cast<unsigned char>(c));
  return hash & kBucketMask;
}

// Word counts fall into a few ranges: a bare "ok" and a paragraph read differently.
std::string_view LengthBand(size_t words) {
  if (words <= 1) return "1";
  if (words <= 3) return "2-3";
  if (words <= 6) return "4-6";
  if (words <= 12) return "7-12";
  return "13+";
}

}  // namespace

std::vector<Feature> Features(std::string_view text) {
  std::string folded = knowledge::Fold(text);
  if (folded.size() > kMaxFoldedBytes) folded.resize(kMaxFoldedBytes);
  std::vector<std::string> words = knowledge::Words(folded);

  std::vector<uint32_t> buckets;
  std::string joined = " ";
  for (const auto& word : words) joined.append(word).push_back(' ');
  // Character n-grams read across words and survive typos, inflection and unseen compounds.
  for (size_t n = 2; n <= 4; ++n) {
    for (size_t i = 0; i + n <= joined.size(); ++i)
      buckets.push_back(Bucket('c', std::string_view(joined).substr(i, n)));
  }
  for (size_t i = 0; i < words.size(); ++i) {
    buckets.push_back(Bucket('w', words[i]));
    if (i + 1 < words.size()) buckets.push_back(Bucket('b', words[i] + ' ' + words[i + 1]));
  }
  // What folding drops but tells a message apart: a link, a question, money, digits, emoji.
  if (folded.find("http") != std::string::npos || folded.find("www.") != std::string::npos) {
    buckets.push_back(Bucket('s', "link"));
  }
  if (text.find('?') != std::string_view::npos) buckets.push_back(Bucket('s', "question"));
  if (text.find('!') != std::string_view::npos) buckets.push_back(Bucket('s', "exclamation"));
  constexpr std::string_view kCurrencies[] = {"€", "$", "£"};
  if (std::any_of(std::begin(kCurrencies), std::end(kCurrencies),
                  [&](std::string_view currency) { return text.find(currency) != std::string_view::npos; })) {
    buckets.push_back(Bucket('s', "money"));
  }
  if (std::any_of(folded.begin(), folded.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    buckets.push_back(Bucket('s', "digits"));
  }
  if (std::any_of(text.begin(), text.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xF8) == 0xF0; })) {
    buckets.push_back(Bucket('s', "emoji"));  // Four-byte UTF-8: emoji and pictographs.
  }
  buckets.push_back(Bucket('s', LengthBand(words.size())));

  std::sort(buckets.begin(), buckets.end());
  buckets.erase(std::unique(buckets.begin(), buckets.end()), buckets.end());
  std::vector<Feature> features;
  features.reserve(buckets.size());
  const float value = 1.0f / std::sqrt(static_cast<float>(buckets.size()));
  for (uint32_t bucket : buckets) features.push_back({bucket, value});
  return features;
}

std::array<double, kClassCount> Probabilities(const Weights& weights, const std::vector<Feature>& features) {
  std::array<double, kClassCount> scores{};
  for (size_t c = 0; c < kClassCount; ++c) scores[c] = weights.bias[c];
  auto begin = weights.buckets.begin();
  for (const Feature& feature : features) {
    // Both lists are sorted: each search starts where the previous one ended.
    begin = std::lower_bound(begin, weights.buckets.end(), feature.bucket);
    if (begin == weights.buckets.end()) break;
    if (*begin != feature.bucket) continue;
    const float* row = weights.rows.data() + static_cast<size_t>(begin - weights.buckets.begin()) * kClassCount;
    for (size_t c = 0; c < kClassCount; ++c) scores[c] += feature.value * row[c];
  }
  double top = *std::max_element(scores.begin(), scores.end());
  double total = 0;
  for (double& score : scores) total += score = std::exp(score - top);
  for (double& score : scores) score /= total;
  return scores;
}

Decision DecisionOf(Reason reason) {
  switch (reason) {
    case Reason::kAcknowledgement:
    case Reason::kSpam:
    case Reason::kScam:
      return Decision::kIgnore;
    case Reason::kGreeting:
      return Decision::kGreeting;
    case Reason::kAnswered:
      return Decision::kAutoReply;
    default:
      return Decision::kEscalate;
  }
}

size_t ClassIndex(Reason reason) {
  return static_cast<size_t>(std::find(kClasses.begin(), kClasses.end(), reason) - kClasses.begin());
}

std::string_view LabelName(Reason reason) { return reason == Reason::kAnswered ? "question" : ToString(reason); }

Result<std::vector<Example>> ReadExamples(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) return Error::NotFound("cannot read " + file.string());
  std::vector<Example> examples;
  std::array<size_t, kClassCount> seen{};
  size_t label = kClassCount;
  std::string line;
  for (size_t number = 1; std::getline(in, line); ++number) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line.front() == '#') continue;
    auto where = [&] { return file.string() + ":" + std::to_string(number) + ": "; };
    if (line.front() == '[' && line.back() == ']') {
      std::string_view name = std::string_view(line).substr(1, line.size() - 2);
      std::optional<Reason> reason = name == "question" ? Reason::kAnswered : ParseReason(name);
      label = reason ? ClassIndex(*reason) : kClassCount;
      if (label == kClassCount) return Error::InvalidArgument(where() + "unknown label '" + std::string(name) + "'");
      continue;
    }
    if (label == kClassCount) return Error::InvalidArgument(where() + "an example before any [label]");
    std::string text;
    for (size_t i = 0; i < line.size(); ++i) {
      if (line[i] == '\\' && i + 1 < line.size() && line[i + 1] == 'n') {
        text.push_back('\n');
        ++i;
      } else {
        text.push_back(line[i]);
      }
    }
    bool held_out = ++seen[label] % 5 == 0;
    examples.push_back({kClasses[label], file.stem().string(), std::move(text), held_out});
  }
  return examples;
}

}  // namespace parley::agent::triage
