#include "agent/message_text.h"

#include "agent/support.h"
#include "knowledge/text.h"

#include <algorithm>
#include <map>
#include <regex>
#include <set>
#include <utility>

namespace parley::agent {
namespace {

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

// Whether `clause` opens as a question: its first word (after "and", "also" and their French and German kin) asks
// ("do", "can", "is"…), or one of its first two does ("until what time", "and how long"). English, French and German:
// the languages of the bursts written without a question mark between their questions.
bool OpensQuestion(std::string_view clause) {
  static const std::set<std::string, std::less<>> kConnectors = {"and", "also", "et", "aussi", "und", "auch"};
  static const std::set<std::string, std::less<>> kAsking = {
      "do",   "does", "did",  "is",     "are",   "can",     "could",   "will",     "would", "have",
      "has",  "what", "when", "where",  "which", "who",     "how",     "why",      "est",   "peut",
      "peux", "avez", "quel", "quelle", "quand", "comment", "combien", "pourquoi", "ou",    "wie",
      "was",  "wann", "wo",   "welche", "warum", "habt",    "haben",   "kann",     "gibt"};
  static const std::set<std::string, std::less<>> kWh = {"what", "when", "where", "which", "who", "how", "why"};
  const std::vector<std::string> words = knowledge::Words(knowledge::Fold(clause));
  size_t first = 0;
  while (first < words.size() && kConnectors.count(words[first])) ++first;
  if (first == words.size()) return false;
  return kAsking.count(words[first]) || (first + 1 < words.size() && kWh.count(words[first + 1]));
}

// Whether `clause` names what it asks about only by a pronoun ("it", "them"…).
bool PointsBack(std::string_view clause) {
  static const std::set<std::string, std::less<>> kPronouns = {"it", "its", "them", "they", "this", "that", "those"};
  for (const auto& word : knowledge::Words(knowledge::Fold(clause))) {
    if (kPronouns.count(word)) return true;
  }
  return false;
}

// `piece` cut where a second question starts inside it without a question mark: after a full stop ("do you have
// gluten free bread. also can I reserve one") or before "and" ("how much for 250 cards and how long does it
// take?"). Only when the text before opens a question too ("I'm coming on Saturday. Do you open at 9?" keeps its
// context) and the one after does not point back at it ("how much are cards and how long does it take": searched
// alone, "it" finds any delivery time).
std::vector<std::string> SplitInnerQuestions(const std::string& piece) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (size_t at = 0; at < piece.size(); ++at) {
    size_t rest = std::string::npos;
    if (piece.compare(at, 2, ". ") == 0) rest = at + 2;
    if (piece.compare(at, 5, " and ") == 0) rest = at + 1;
    if (rest == std::string::npos) continue;
    const std::string before = piece.substr(start, at + (piece[at] == '.' ? 1 : 0) - start);
    const std::string_view after = std::string_view(piece).substr(rest);
    if (OpensQuestion(before) && OpensQuestion(after) && !PointsBack(after)) {
      parts.push_back(before);
      start = rest;
    }
  }
  parts.push_back(piece.substr(start));
  return parts;
}

}  // namespace

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
  auto close_all = [&close](std::string text) {
    for (auto& part : SplitInnerQuestions(text)) close(std::move(part));
  };
  std::string current;
  for (char c : burst) {
    if (c == '\n') {
      close_all(std::exchange(current, {}));
      continue;
    }
    current += c;
    if (c == '?') close_all(std::exchange(current, {}));
  }
  close_all(std::move(current));

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

std::vector<std::string> WithAntecedents(std::vector<std::string> questions, std::string_view language) {
  // Third-person pronouns that stand for a thing named before, folded; words that are also articles ("la", "il" in
  // Italian, "het") or the polite "you" (German "Sie") are left out.
  static const std::map<std::string_view, std::set<std::string_view>> kPronouns = {
      {"en", {"it", "its", "they", "them", "their"}},
      {"fr", {"il", "elle", "ils", "elles", "ca", "cela", "lui", "leur"}},
      {"de", {"er", "es", "ihn", "ihm"}},
      {"es", {"lo", "ellos", "ellas"}},
      {"it", {"esso", "essa", "essi", "esse"}},
      {"pt", {"ele", "ela", "eles", "elas", "isso"}},
      {"nl", {"hij", "hem", "ze", "zij"}}};
  auto pronouns = kPronouns.find(language);
  if (pronouns == kPronouns.end()) return questions;
  for (size_t i = questions.size(); i-- > 1;) {
    const std::vector<std::string> words = knowledge::Words(knowledge::Fold(questions[i]));
    const bool refers_back = std::any_of(words.begin(), words.end(),
                                         [&](const std::string& word) { return pronouns->second.count(word) > 0; });
    if (refers_back && SubjectStems(knowledge::ContentWords(questions[i]), language).size() <= 1) {
      questions[i] = questions[i - 1] + " " + questions[i];
    }
  }
  return questions;
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

std::string FormatForPlatform(std::string_view markdown, Markup markup) {
  std::string text(markdown);
  const bool markers = markup == Markup::kChatMarkers;
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
  text = std::regex_replace(text, kItalic, markers ? "$1_$2_" : "$1$2");
  text = std::regex_replace(text, kStrike, markers ? "~$1~" : "$1");
  if (!markers) text = std::regex_replace(text, kCode, "$1");
  std::replace(text.begin(), text.end(), '\x02', markers ? '*' : '\x03');
  if (!markers) text.erase(std::remove(text.begin(), text.end(), '\x03'), text.end());
  return text;
}

size_t CodePoints(std::string_view text) {
  return static_cast<size_t>(std::count_if(text.begin(), text.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

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
