#include "knowledge/faq.h"

#include "knowledge/text.h"

#include <algorithm>

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

}  // namespace parley::knowledge
