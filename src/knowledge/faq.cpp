#include "knowledge/faq.h"

#include "knowledge/faq_terms.h"
#include "knowledge/text.h"

#include <algorithm>
#include <cmath>
#include <unordered_map>

namespace parley::knowledge {

std::string FaqKey(std::string_view question) {
  std::vector<std::string> words;
  for (auto& word : Words(Fold(question))) {
    if (!IsStopWord(word)) words.push_back(std::move(word));
  }
  std::sort(words.begin(), words.end());
  words.erase(std::unique(words.begin(), words.end()), words.end());
  std::string key;
  for (const auto& word : words) key += (key.empty() ? "" : " ") + word;
  return key;
}

store::NewFaq MakeFaq(const std::vector<std::string>& questions, std::string answer) {
  store::NewFaq faq;
  for (const auto& question : questions) {
    std::string normalized = Normalize(question);
    auto begin = normalized.find_first_not_of(" \t\n");
    if (begin == std::string::npos) continue;
    normalized = normalized.substr(begin, normalized.find_last_not_of(" \t\n") - begin + 1);
    faq.question_keys.push_back(FaqKey(normalized));
    faq.questions.push_back(std::move(normalized));
  }
  faq.answer = Normalize(answer);
  return faq;
}

// --- Matching -----------------------------------------------------------------------------------------------------

namespace {

using faq_terms::QuestionKind;

// A term that is not in any FAQ question weighs the most; one in every question the least, but never nothing.
constexpr double kMinTermWeight = 0.3;
// Parts of the score (QuestionSimilarity): measured on tests/data/faq/, see faq_matcher_test.cpp.
constexpr double kCoverageWeight = 0.4;
constexpr double kPrecisionWeight = 0.4;
constexpr double kCosineWeight = 0.2;

// A question as it is matched.
struct Analyzed {
  std::vector<std::string> terms;  //!< Deduplicated, in order.
  QuestionKind kind = QuestionKind::kNone;
  Vector embedding;
};

Analyzed Analyze(std::string_view question, std::string_view language, const BuiltinEmbedder& embedder) {
  Analyzed analyzed;
  std::vector<std::string> words = Words(Fold(question));
  analyzed.kind = faq_terms::KindOf(words);
  Stemmer& stemmer = ThreadStemmer(language);
  // "How much is shoe rental?" asks for its price as "shoe rental price?" does.
  for (size_t i = 0; i + 1 < words.size(); ++i) {
    if (words[i] == "how" && words[i + 1] == "much") analyzed.terms.emplace_back("#price");
  }
  for (const auto& word : words) {
    if (IsStopWord(word) || faq_terms::IsFiller(word)) continue;
    std::string_view family = faq_terms::FamilyOf(word);
    std::string term = family.empty() ? stemmer.Stem(word) : std::string(family);
    if (std::find(analyzed.terms.begin(), analyzed.terms.end(), term) == analyzed.terms.end()) {
      analyzed.terms.push_back(std::move(term));
    }
  }
  // Without an interrogative word, a question about hours, prices or a place still asks when, how much or where:
  // "Opening hours?", "Shoe rental price?".
  if (analyzed.kind == QuestionKind::kNone) {
    for (const auto& term : analyzed.terms) {
      if (term == "#hours") analyzed.kind = QuestionKind::kTime;
      if (term == "#price") analyzed.kind = QuestionKind::kAmount;
      if (term == "#place") analyzed.kind = QuestionKind::kPlace;
      if (analyzed.kind != QuestionKind::kNone) break;
    }
  }
  analyzed.embedding = embedder.EmbedOne(question);
  return analyzed;
}

// Whether a customer's question of kind `customer` cannot be answered by a FAQ question of kind `faq`: both ask
// something specific and not the same thing, or the customer asks for a number (how much, how long) that a yes/no
// question's answer seldom gives ("How much is a birthday party?" and "Do you host birthday parties?").
bool KindsDiffer(QuestionKind customer, QuestionKind faq) {
  if (faq == QuestionKind::kNone) return customer == QuestionKind::kAmount || customer == QuestionKind::kDuration;
  return customer != QuestionKind::kNone && customer != faq;
}

bool SameTerm(const std::string& a, const std::string& b) {
  if (a == b) return true;
  // Families are matched by name only: their members were already matched within a typo.
  return a.front() != '#' && b.front() != '#' && faq_terms::WithinTypo(a, b);
}

double Dot(const Vector& a, const Vector& b) {
  double sum = 0;
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) sum += static_cast<double>(a[i]) * b[i];
  return sum;
}

}  // namespace

struct FaqIndex::Prepared {
  std::string language;
  BuiltinEmbedder embedder;
  struct Question {
    size_t entry = 0;     //!< Into entries_.
    size_t question = 0;  //!< Into the entry's questions.
    Analyzed analyzed;
  };
  std::vector<Question> questions;
  std::unordered_map<std::string, int> document_frequency;  //!< FAQ questions holding each term.

  double Weight(const std::string& term) const {
    auto found = document_frequency.find(term);
    double df = found == document_frequency.end() ? 0 : found->second;
    double n = static_cast<double>(questions.size());
    return std::max(kMinTermWeight, std::log((n + 1) / (df + 0.5)));
  }

  QuestionSimilarity Compare(const Analyzed& customer, const Analyzed& faq) const {
    QuestionSimilarity similarity;
    if (customer.terms.empty() || faq.terms.empty()) return similarity;
    double customer_total = 0, customer_shared = 0;
    for (const auto& term : customer.terms) {
      double weight = Weight(term);
      customer_total += weight;
      if (std::any_of(faq.terms.begin(), faq.terms.end(), [&](const auto& t) { return SameTerm(term, t); })) {
        customer_shared += weight;
      }
    }
    double faq_total = 0, faq_shared = 0;
    for (const auto& term : faq.terms) {
      double weight = Weight(term);
      faq_total += weight;
      if (std::any_of(customer.terms.begin(), customer.terms.end(), [&](const auto& t) { return SameTerm(term, t); })) {
        faq_shared += weight;
      }
    }
    similarity.coverage = customer_shared / customer_total;
    similarity.precision = faq_shared / faq_total;
    similarity.cosine = std::max(0.0, Dot(customer.embedding, faq.embedding));
    similarity.kinds_differ = KindsDiffer(customer.kind, faq.kind);
    if (customer_shared > 0 && !similarity.kinds_differ) {
      similarity.score = kCoverageWeight * similarity.coverage + kPrecisionWeight * similarity.precision +
                         kCosineWeight * similarity.cosine;
    }
    return similarity;
  }
};

FaqIndex::FaqIndex(std::vector<store::FaqEntry> entries, std::string_view language)
    : entries_(std::move(entries)),
      prepared_(std::make_unique<Prepared>(Prepared{
          std::string(language), BuiltinEmbedder(BuiltinEmbedderOptions{.language = std::string(language)}), {}, {}})) {
  for (size_t e = 0; e < entries_.size(); ++e) {
    for (size_t q = 0; q < entries_[e].questions.size(); ++q) {
      Analyzed analyzed = Analyze(entries_[e].questions[q], prepared_->language, prepared_->embedder);
      for (const auto& term : analyzed.terms) ++prepared_->document_frequency[term];
      prepared_->questions.push_back({e, q, std::move(analyzed)});
    }
  }
}

FaqIndex::~FaqIndex() = default;

std::vector<std::pair<const store::FaqEntry*, QuestionSimilarity>> FaqIndex::Similarities(
    std::string_view question) const {
  Analyzed customer = Analyze(question, prepared_->language, prepared_->embedder);
  std::vector<std::pair<const store::FaqEntry*, QuestionSimilarity>> similarities;
  for (const auto& faq : prepared_->questions) {
    similarities.emplace_back(&entries_[faq.entry], prepared_->Compare(customer, faq.analyzed));
  }
  return similarities;
}

std::optional<FaqMatch> FaqIndex::Match(std::string_view question, double threshold) const {
  Analyzed customer = Analyze(question, prepared_->language, prepared_->embedder);
  const Prepared::Question* best = nullptr;
  QuestionSimilarity best_similarity;
  for (const auto& faq : prepared_->questions) {
    QuestionSimilarity similarity = prepared_->Compare(customer, faq.analyzed);
    // Entries are in id order: a tie keeps the earlier one.
    if (similarity.score >= threshold && (best == nullptr || similarity.score > best_similarity.score)) {
      best = &faq;
      best_similarity = similarity;
    }
  }
  if (best == nullptr) return std::nullopt;
  const store::FaqEntry& entry = entries_[best->entry];
  return FaqMatch{entry, entry.questions[best->question], best_similarity.score, best_similarity};
}

FaqMatcher::FaqMatcher(store::KnowledgeStore& store, FaqMatcherOptions options) : store_(store), options_(options) {}

Result<std::shared_ptr<const FaqIndex>> FaqMatcher::IndexFor(int64_t tenant_id, std::string_view language) {
  // "fr" and "french" stem alike: one index for both.
  std::pair<int64_t, std::string> key{tenant_id, ThreadStemmer(language).language()};
  Result<int64_t> revision = store_.FaqRevision(tenant_id);
  if (!revision) return revision.error();
  {
    std::lock_guard lock(mutex_);
    auto found = cache_.find(key);
    if (found != cache_.end() && found->second.revision == *revision) return found->second.index;
  }
  // Loaded and built outside the lock: another tenant's questions need not wait for this one's.
  Result<store::FaqSnapshot> snapshot = store_.LoadFaqs(tenant_id);
  if (!snapshot) return snapshot.error();
  auto index = std::make_shared<const FaqIndex>(std::move(snapshot->entries), key.second);
  std::lock_guard lock(mutex_);
  Cached& cached = cache_[key];
  // A concurrent call may have stored a newer snapshot meanwhile: keep the newest.
  if (snapshot->revision >= cached.revision) cached = {snapshot->revision, index};
  return index;
}

Result<std::optional<FaqMatch>> FaqMatcher::Match(int64_t tenant_id, std::string_view question,
                                                  std::string_view language) {
  auto index = IndexFor(tenant_id, language);
  if (!index) return index.error();
  return (*index)->Match(question, options_.threshold);
}

}  // namespace parley::knowledge
