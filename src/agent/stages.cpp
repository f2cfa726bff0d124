#include "agent/stages.h"

#include "knowledge/text.h"

#include <algorithm>
#include <array>
#include <regex>
#include <set>
#include <unordered_set>
#include <utility>

namespace parley::agent {
namespace {

// Folded words and phrases; a phrase matches on word boundaries of the folded text.
constexpr std::array kAcknowledgements = {
    "thanks",  "thank",   "thx",  "ty",      "ok",     "okay",      "k",     "cool",    "great",   "nice",
    "perfect", "super",   "bye",  "goodbye", "cheers", "merci",     "top",   "parfait", "daccord", "d",
    "accord",  "you",     "much", "so",      "very",   "beaucoup",  "bien",  "recu",    "noted",   "got",
    "it",      "alright", "good", "ciao",    "a",      "plus",      "bonne", "journee", "soiree",  "have",
    "day",     "see",     "lot",  "many",    "again",  "infiniment"};
constexpr std::array kGreetings = {"hi",   "hello",   "hey",       "hiya",    "bonjour", "salut", "coucou", "bonsoir",
                                   "good", "morning", "afternoon", "evening", "there",   "hola",  "yo"};
constexpr std::array kHumanPhrases = {
    "human",           "real person",     "a person",   "someone real",     "speak to someone",
    "talk to someone", "an agent",        "live agent", "customer service", "representative",
    "operator",        "manager",         "un humain",  "une personne",     "un conseiller",
    "une conseillere", "parler a quelqu", "un vrai",    "service client",   "responsable"};
constexpr std::array kComplaintPhrases = {"complaint",    "complain",     "unacceptable", "disgusting", "worst",
                                          "furious",      "angry",        "scam",         "ripped off", "never again",
                                          "plainte",      "inadmissible", "arnaque",      "scandale",   "honteux",
                                          "inacceptable", "furieux",      "degoute"};
constexpr std::array kLegalPhrases = {"lawyer", "attorney", "legal action", "sue you",   "court",           "lawsuit",
                                      "gdpr",   "avocat",   "tribunal",     "poursuite", "mise en demeure", "rgpd"};
// Pitches that are spam on their own; the words after them are spam only next to a link ("do you accept bitcoin?"
// is a customer's question).
constexpr std::array kSpamPhrases = {"investment opportunity", "earn money",   "click here",   "free money",
                                     "work from home",         "promote your", "seo services", "buy followers",
                                     "gagner de l argent"};
constexpr std::array kSpamWords = {"crypto", "bitcoin", "forex", "followers", "casino", "loan"};

bool ContainsPhrase(const std::string& padded_folded, std::string_view phrase) {
  // Appended rather than `" " + std::string(phrase)`, which trips g++ 12's -Wrestrict at -O3.
  std::string padded(1, ' ');
  padded.append(phrase).push_back(' ');
  return padded_folded.find(padded) != std::string::npos;
}

template <size_t N>
bool ContainsAny(const std::string& padded_folded, const std::array<const char*, N>& phrases) {
  return std::any_of(phrases.begin(), phrases.end(),
                     [&](const char* phrase) { return ContainsPhrase(padded_folded, phrase); });
}

std::vector<std::string> SplitSentences(std::string_view text) {
  std::vector<std::string> sentences;
  std::string current;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    current += c;
    bool end = c == '\n' || ((c == '.' || c == '!' || c == '?') &&
                             (i + 1 == text.size() || text[i + 1] == ' ' || text[i + 1] == '\n'));
    if (end) {
      auto begin = current.find_first_not_of(" \n\t");
      if (begin != std::string::npos) sentences.push_back(current.substr(begin));
      current.clear();
    }
  }
  auto begin = current.find_first_not_of(" \n\t");
  if (begin != std::string::npos) sentences.push_back(current.substr(begin));
  for (auto& sentence : sentences) {
    while (!sentence.empty() && (sentence.back() == ' ' || sentence.back() == '\n')) sentence.pop_back();
  }
  sentences.erase(std::remove_if(sentences.begin(), sentences.end(), [](const auto& s) { return s.empty(); }),
                  sentences.end());
  return sentences;
}

std::set<std::string> ContentStems(std::string_view text, knowledge::Stemmer& stemmer) {
  std::set<std::string> stems;
  for (const auto& word : knowledge::Words(knowledge::Fold(text))) {
    if (!knowledge::IsStopWord(word)) stems.insert(stemmer.Stem(word));
  }
  return stems;
}

// Byte offset of the `n`-th code point (or the end).
size_t OffsetOfCodePoint(std::string_view text, size_t n) {
  size_t seen = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if ((text[i] & 0xC0) != 0x80) {
      if (seen == n) return i;
      ++seen;
    }
  }
  return text.size();
}

}  // namespace

Triage TriageMessage(std::string_view text) {
  std::string folded = knowledge::Fold(text);
  std::vector<std::string> words = knowledge::Words(folded);
  if (words.empty()) {
    bool blank = text.find_first_not_of(" \t\n") == std::string_view::npos;
    return {Decision::kIgnore, blank ? Reason::kEmpty : Reason::kEmojiOnly};
  }
  std::string padded = " ";
  for (const auto& word : words) padded += word + " ";
  if (ContainsAny(padded, kLegalPhrases)) return {Decision::kEscalate, Reason::kLegal};
  if (ContainsAny(padded, kHumanPhrases)) return {Decision::kEscalate, Reason::kHumanRequested};
  if (ContainsAny(padded, kComplaintPhrases)) return {Decision::kEscalate, Reason::kComplaint};
  size_t links = 0;
  for (size_t at = folded.find("http"); at != std::string::npos; at = folded.find("http", at + 4)) ++links;
  if (links >= 2 || (links >= 1 && ContainsAny(padded, kSpamWords)) || ContainsAny(padded, kSpamPhrases)) {
    return {Decision::kIgnore, Reason::kSpam};
  }
  bool only_acknowledgement = std::all_of(words.begin(), words.end(), [](const std::string& word) {
    return std::find_if(kAcknowledgements.begin(), kAcknowledgements.end(),
                        [&](const char* ack) { return word == ack; }) != kAcknowledgements.end();
  });
  if (only_acknowledgement && words.size() <= 6) return {Decision::kIgnore, Reason::kAcknowledgement};
  bool only_greeting = std::all_of(words.begin(), words.end(), [](const std::string& word) {
    return std::find_if(kGreetings.begin(), kGreetings.end(), [&](const char* g) { return word == g; }) !=
           kGreetings.end();
  });
  if (only_greeting && words.size() <= 4) return {Decision::kGreeting, Reason::kGreeting};
  return {Decision::kAutoReply, Reason::kAnswered};
}

std::vector<std::string> SplitQuestions(std::string_view burst, size_t limit) {
  struct Piece {
    std::string text;
    bool stands_alone = false;
  };
  std::vector<Piece> pieces;
  auto close = [&pieces](std::string text) {
    auto first = text.find_first_not_of(" \t\n");
    if (first == std::string::npos) return;
    text = text.substr(first, text.find_last_not_of(" \t\n") - first + 1);
    size_t content = 0;
    for (const auto& word : knowledge::Words(knowledge::Fold(text))) content += knowledge::IsStopWord(word) ? 0 : 1;
    // A question mark makes a short question whole ("vous livrez ?"); without one, a lone word is a fragment.
    bool stands_alone = content >= 2 || (content == 1 && text.back() == '?');
    pieces.push_back({std::move(text), stands_alone});
  };
  std::string current;
  for (char c : burst) {
    if (c == '\n') {
      close(std::exchange(current, {}));
      continue;
    }
    current += c;
    if (c == '?') close(std::exchange(current, {}));
  }
  close(std::move(current));

  std::vector<std::string> questions;
  std::string pending;  // Fragments waiting for the question they belong to.
  for (auto& piece : pieces) {
    pending += (pending.empty() ? "" : " ") + piece.text;
    if (piece.stands_alone) questions.push_back(std::exchange(pending, {}));
  }
  if (!pending.empty()) {
    if (questions.empty()) {
      questions.push_back(std::move(pending));
    } else {
      questions.back() += " " + pending;
    }
  }
  while (questions.size() > std::max<size_t>(limit, 1)) {
    questions[questions.size() - 2] += " " + questions.back();
    questions.pop_back();
  }
  return questions;
}

std::string ExtractiveAnswer(std::string_view question, const knowledge::Passage& best, std::string_view language,
                             int max_sentences) {
  auto& stemmer = knowledge::ThreadStemmer(language);
  std::set<std::string> wanted = ContentStems(question, stemmer);
  std::vector<std::string> sentences = SplitSentences(best.chunk.text);
  if (sentences.empty()) return best.chunk.text;
  std::vector<std::pair<size_t, size_t>> scored;  // (overlap, index)
  for (size_t i = 0; i < sentences.size(); ++i) {
    std::set<std::string> stems = ContentStems(sentences[i], stemmer);
    size_t overlap = 0;
    for (const auto& stem : wanted) overlap += stems.count(stem);
    if (overlap > 0) scored.emplace_back(overlap, i);
  }
  std::vector<size_t> chosen;
  if (scored.empty()) {
    for (size_t i = 0; i < sentences.size() && static_cast<int>(i) < max_sentences; ++i) chosen.push_back(i);
  } else {
    std::stable_sort(scored.begin(), scored.end(), [](auto& a, auto& b) { return a.first > b.first; });
    for (const auto& [overlap, index] : scored) {
      if (static_cast<int>(chosen.size()) == max_sentences) break;
      chosen.push_back(index);
      // The sentence after a matching one often finishes its thought ("Refunds: … . They take 5 days.").
      if (index + 1 < sentences.size() && static_cast<int>(chosen.size()) < max_sentences) chosen.push_back(index + 1);
    }
    std::sort(chosen.begin(), chosen.end());
    chosen.erase(std::unique(chosen.begin(), chosen.end()), chosen.end());
  }
  std::string answer;
  for (size_t index : chosen) answer += (answer.empty() ? "" : " ") + sentences[index];
  return answer;
}

double Support(std::string_view answer, const std::vector<knowledge::Passage>& passages, std::string_view language) {
  auto& stemmer = knowledge::ThreadStemmer(language);
  std::set<std::string> claimed = ContentStems(answer, stemmer);
  if (claimed.empty()) return 1;
  std::set<std::string> available;
  for (const auto& passage : passages) {
    auto stems = ContentStems(passage.chunk.heading_path + "\n" + passage.chunk.text, stemmer);
    available.insert(stems.begin(), stems.end());
  }
  size_t supported = 0;
  for (const auto& stem : claimed) supported += available.count(stem);
  return static_cast<double>(supported) / static_cast<double>(claimed.size());
}

bool LeaksSecrets(std::string_view answer, std::string_view system_prompt) {
  // Any run of kRun characters of the prompt holds a whole block of kRun / 2 starting at a multiple of kRun / 2:
  // each occurrence of such a block in the answer is extended both ways to the length of the common run.
  constexpr size_t kRun = 60;
  constexpr size_t kBlock = kRun / 2;
  for (size_t at = 0; at + kBlock <= system_prompt.size(); at += kBlock) {
    std::string_view block = system_prompt.substr(at, kBlock);
    for (size_t found = answer.find(block); found != std::string_view::npos; found = answer.find(block, found + 1)) {
      size_t before = 0;
      while (before < at && before < found && system_prompt[at - before - 1] == answer[found - before - 1]) ++before;
      size_t after = kBlock;
      while (at + after < system_prompt.size() && found + after < answer.size() &&
             system_prompt[at + after] == answer[found + after]) {
        ++after;
      }
      if (before + after >= kRun) return true;
    }
  }
  static const std::regex kCredential(
      R"((sk-[A-Za-z0-9_\-]{16,})|(Bearer\s+[A-Za-z0-9._\-]{20,})|(-----BEGIN [A-Z ]*PRIVATE KEY-----)|(EAA[A-Za-z0-9]{30,}))");
  return std::regex_search(answer.begin(), answer.end(), kCredential);
}

std::string FormatForPlatform(std::string_view markdown, Platform platform) {
  std::string text(markdown);
  const bool whatsapp = platform == Platform::kWhatsApp;
  static const std::regex kHeading(R"((^|\n)#{1,6}\s+([^\n]+))");
  static const std::regex kBold(R"(\*\*([^*\n]+)\*\*|__([^_\n]+)__)");
  static const std::regex kItalic(R"((^|[^*\w])\*([^*\n]+)\*(?![*\w]))");
  static const std::regex kDoubleMark("\x02\x02");
  static const std::regex kStrike(R"(~~([^~\n]+)~~)");
  static const std::regex kLink(R"(\[([^\]\n]+)\]\((https?://[^)\s]+)\))");
  static const std::regex kBullet(R"((^|\n)\s*[*+]\s+)");
  static const std::regex kCode(R"(`{1,3}([^`]+)`{1,3})");
  text = std::regex_replace(text, kLink, "$1 ($2)");
  text = std::regex_replace(text, kBullet, "$1- ");
  // Bold becomes a marker first, so the single-asterisk italic rule cannot mistake it; a heading reads as a bold
  // line, and a bold heading ("# **Title**") is bold once.
  text = std::regex_replace(text, kBold, "\x02$1$2\x02");
  text = std::regex_replace(text, kHeading, "$1\x02$2\x02");
  text = std::regex_replace(text, kDoubleMark, "\x02");
  text = std::regex_replace(text, kItalic, whatsapp ? "$1_$2_" : "$1$2");
  text = std::regex_replace(text, kStrike, whatsapp ? "~$1~" : "$1");
  if (!whatsapp) text = std::regex_replace(text, kCode, "$1");
  std::replace(text.begin(), text.end(), '\x02', whatsapp ? '*' : '\x03');
  if (!whatsapp) text.erase(std::remove(text.begin(), text.end(), '\x03'), text.end());
  return text;
}

size_t CodePoints(std::string_view text) {
  return static_cast<size_t>(std::count_if(text.begin(), text.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

size_t MessageLimit(Platform platform) { return platform == Platform::kWhatsApp ? 4096 : 1000; }

std::vector<std::string> SplitMessage(std::string_view text, size_t limit) {
  limit = std::max<size_t>(limit, 1);
  std::vector<std::string> parts;
  std::string_view rest = text;
  while (!rest.empty()) {
    auto first = rest.find_first_not_of(" \n");
    if (first == std::string_view::npos) break;
    rest.remove_prefix(first);
    if (CodePoints(rest) <= limit) {
      auto last = rest.find_last_not_of(" \n");
      parts.emplace_back(rest.substr(0, last + 1));
      break;
    }
    size_t window = OffsetOfCodePoint(rest, limit);
    std::string_view head = rest.substr(0, window);
    size_t cut = std::string_view::npos;
    for (size_t i = head.size(); i-- > 1;) {
      if ((head[i - 1] == '.' || head[i - 1] == '!' || head[i - 1] == '?' || head[i - 1] == '\n') &&
          (head[i] == ' ' || head[i] == '\n')) {
        cut = i;
        break;
      }
    }
    if (cut == std::string_view::npos || cut < head.size() / 3) {
      auto space = head.rfind(' ');
      cut = (space != std::string_view::npos && space > head.size() / 3) ? space : window;
    }
    std::string part(rest.substr(0, cut));
    while (!part.empty() && (part.back() == ' ' || part.back() == '\n')) part.pop_back();
    if (!part.empty()) parts.push_back(std::move(part));
    rest.remove_prefix(cut);
  }
  return parts;
}

}  // namespace parley::agent
