#include "knowledge/language.h"

#include "core/utf8.h"
#include "knowledge/text.h"

// CLD2's public header uses FILE without including its declaration.
#include <cstdio>

#include <cld2/public/compact_lang_det.h>
#include <cld2/public/encodings.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <map>
#include <unordered_map>

namespace parley::knowledge {
namespace {

// libstemmer 2.x's stemmers (all but "porter", an older English one), by code, with each language's ISO 639-3 code.
constexpr std::array<SupportedLanguage, 28> kSupported = {{
    {"ar", "arabic", "ara"},     {"ca", "catalan", "cat"},  {"da", "danish", "dan"},     {"de", "german", "deu"},
    {"el", "greek", "ell"},      {"en", "english", "eng"},  {"es", "spanish", "spa"},    {"eu", "basque", "eus"},
    {"fi", "finnish", "fin"},    {"fr", "french", "fra"},   {"ga", "irish", "gle"},      {"hi", "hindi", "hin"},
    {"hu", "hungarian", "hun"},  {"hy", "armenian", "hye"}, {"id", "indonesian", "ind"}, {"it", "italian", "ita"},
    {"lt", "lithuanian", "lit"}, {"ne", "nepali", "nep"},   {"nl", "dutch", "nld"},      {"no", "norwegian", "nor"},
    {"pt", "portuguese", "por"}, {"ro", "romanian", "ron"}, {"ru", "russian", "rus"},    {"sr", "serbian", "srp"},
    {"sv", "swedish", "swe"},    {"ta", "tamil", "tam"},    {"tr", "turkish", "tur"},    {"yi", "yiddish", "yid"},
}};
static_assert(std::adjacent_find(kSupported.begin(), kSupported.end(),
                                 [](const SupportedLanguage& a, const SupportedLanguage& b) {
                                   return a.code >= b.code;
                                 }) == kSupported.end(),
              "kSupported must be sorted by code");

constexpr size_t kMaxDetectedBytes = 4096;
// CLD2 is unreliable below about five words; up to this many, the short words decide when they can.
constexpr size_t kShortTextWords = 4;

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string Capitalized(std::string_view upper_name) {
  std::string name = Lower(upper_name);
  std::replace(name.begin(), name.end(), '_', ' ');
  if (!name.empty()) name[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(name[0])));
  return name;
}

// The ISO 639-1 code of a CLD2 language; "" for none (unknown, a script, a language without a two-letter code).
std::string CodeOf(CLD2::Language language) {
  std::string code = CLD2::LanguageCode(language);
  // CLD2 keeps the codes ISO withdrew in 1989 for Hebrew and Javanese.
  if (code == "iw") return "he";
  if (code == "jw") return "jv";
  if (code.size() != 2 || code == "un" || !std::islower(static_cast<unsigned char>(code[0])) ||
      !std::islower(static_cast<unsigned char>(code[1]))) {
    return "";
  }
  return code;
}

// Every known language's English name, by code: the supported ones, then CLD2's.
const std::map<std::string, std::string, std::less<>>& KnownLanguages() {
  static const auto* const known = [] {
    auto* names = new std::map<std::string, std::string, std::less<>>;
    for (const auto& language : kSupported) (*names)[std::string(language.code)] = Capitalized(language.snowball);
    for (int i = 0; i < CLD2::NUM_LANGUAGES; ++i) {
      auto language = static_cast<CLD2::Language>(i);
      std::string code = CodeOf(language);
      if (!code.empty()) names->emplace(code, Capitalized(CLD2::LanguageName(language)));
    }
    return names;
  }();
  return *known;
}

// The seven languages of the short-word lists, in the order of their bits.
constexpr std::array<std::string_view, 7> kShortWordLanguages = {"en", "fr", "de", "es", "it", "pt", "nl"};

// Frequent words that a message of one to four words is made of, folded (lower case, no accents: "sí" is "si",
// "schön" is "schon"; an apostrophe splits "s'il" into "s" and "il"). Words shared by several languages are listed in
// each of them. Content words that travel between languages ("ok", "super", "parking") are left out. English lists
// the chat spellings customers write on WhatsApp ("u", "r", "ur", "wat", "plz"): without them "wat time is brekfast"
// was Dutch ("wat", "is") and the customer was answered in Dutch.
constexpr std::array<std::string_view, 7> kShortWords = {
    // en
    "hi hello hey thanks thank thx cheers yes yeah yep nope please pls bye goodbye morning afternoon evening sorry "
    "great the a an and or but is are was were be been do does did don doesn didn have has had i my me we our us you "
    "your it its this that these those of to in on at for with from about can could would will should not no there "
    "any some what where when how why who which much many if so am as by also just very u r ur wat plz",
    // fr
    "bonjour bonsoir salut coucou merci beaucoup oui ouais non svp plait revoir bonne journee soiree desole desolee "
    "parfait accord d l j qu c le la les un une des du de et ou mais est sont suis es etes ai as avez avons a je tu il "
    "elle on nous vous ils elles mon ma mes ton ta tes votre vos notre nos ce cette ces ca cela pour avec dans sur "
    "sans par pas ne plus tres aussi au aux y en que qui quoi quand comment pourquoi combien quel quelle quels "
    "quelles peux peut pouvez voudrais veux faut fait si bien me te se le dit",
    // de
    "hallo moin servus danke dankeschon schon vielen dank bitte ja nein tschuss wiedersehen guten tag morgen abend "
    "entschuldigung genau gerne der die das den dem des ein eine einen einem einer und oder aber ist sind bin bist "
    "war waren sein ich du er sie es wir ihr mein meine mich mir dein ihre euer unser uns nicht kein keine mit fur "
    "von zu zum zur im in auf bei an aus nach haben habe hat habt hast kann konnen konnt kannst gibt was wo wann wie "
    "warum wer welche welcher wieviel viel auch noch mochte will wird sehr so da",
    // es
    "hola buenos buenas dias tardes noches gracias muchas muchisimas si no por favor adios hasta luego vale perfecto "
    "perdon disculpa disculpe a el la los las lo un una unos unas y o pero es son soy eres esta estan estoy yo tu "
    "usted "
    "ustedes nosotros mi mis su sus nuestro de del al en con para por sin que quien cual cuando como donde cuanto "
    "cuanta cuantos porque hay tiene tienen tengo tienes puedo puede pueden quiero quisiera queria necesito muy "
    "tambien bien ya me te se le nos tres dia tarde",
    // it
    "ciao buongiorno buonasera salve grazie mille si no per favore prego arrivederci scusa scusi perfetto va bene "
    "certo a il lo la i gli le un una uno e o ma sono sei siamo siete io tu lui lei noi voi mio mia miei tuo vostro "
    "vostra nostro di del della dei delle da dal dalla in con su per tra che chi cosa dove quando come perche quanto "
    "quanta quanti quale c ce ci non ho hai ha abbiamo avete hanno posso puo potete vorrei voglio anche molto gia "
    "piu me te se ne al mi",
    // pt
    "ola oi bom boa dia tarde noite obrigado obrigada muito muita sim nao por favor tchau adeus ate logo desculpe "
    "desculpa perfeito certo o a os as um uma uns umas e ou mas sou somos esta estou estao eu tu voce voces ele ela "
    "nos meu minha seu sua nosso de do da dos das em no na nas com para sem que quem qual quando como onde quanto "
    "quanta porque tem temos tenho ha posso pode podem queria quero preciso tambem ja mais me te se lhe",
    // nl
    "hallo hoi hey goedemorgen goedemiddag goedenavond dag dank bedankt wel ja nee alsjeblieft alstublieft doei tot "
    "ziens sorry prima oke de het een en of maar is zijn ben bent was waren ik jij je u hij zij ze we wij jullie mijn "
    "jouw uw ons onze hun van in op met voor aan bij naar uit om te niet geen er hier daar kan kunt kun hebben heb "
    "heeft hebt wat waar wanneer hoe waarom wie welke hoeveel ook nog al dit dat deze die wil zou graag na",
};

using LanguageMask = uint8_t;

const std::unordered_map<std::string_view, LanguageMask>& ShortWords() {
  static const auto* const words = [] {
    auto* map = new std::unordered_map<std::string_view, LanguageMask>;
    for (size_t language = 0; language < kShortWords.size(); ++language) {
      std::string_view list = kShortWords[language];
      while (!list.empty()) {
        size_t space = list.find(' ');
        (*map)[list.substr(0, space)] |= static_cast<LanguageMask>(1u << language);
        list = space == std::string_view::npos ? std::string_view{} : list.substr(space + 1);
      }
    }
    return map;
  }();
  return *words;
}

struct Statistical {
  std::string code;
  bool reliable = false;
};

Statistical Cld2(const std::string& text) {
  CLD2::CLDHints hints{nullptr, nullptr, CLD2::UNKNOWN_ENCODING, CLD2::UNKNOWN_LANGUAGE};
  CLD2::Language top3[3];
  int percent3[3];
  double scores3[3];
  int text_bytes = 0;
  bool reliable = false;
  int valid_prefix = 0;
  CLD2::Language language = CLD2::ExtDetectLanguageSummaryCheckUTF8(
      text.data(), static_cast<int>(text.size()), /*is_plain_text=*/true, &hints, /*flags=*/0, top3, percent3, scores3,
      /*resultchunkvector=*/nullptr, &text_bytes, &reliable, &valid_prefix);
  std::string code = CodeOf(language);
  return {code, reliable && !code.empty()};
}

bool AllDigits(std::string_view word) {
  return std::all_of(word.begin(), word.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

std::span<const SupportedLanguage> SupportedLanguages() { return kSupported; }

std::optional<std::string> LanguageCode(std::string_view name_or_code) {
  std::string name = Lower(name_or_code);
  name.erase(0, name.find_first_not_of(" \t"));
  name.erase(name.find_last_not_of(" \t") + 1);
  // A region or script after the code, as browsers and BCP 47 write it: "pt-BR", "en_GB", "zh-Hant".
  if (name.size() > 3 && (name[2] == '-' || name[2] == '_')) name.resize(2);
  if (KnownLanguages().contains(name)) return name;
  for (const auto& language : kSupported) {
    if (name == language.snowball) return std::string(language.code);
  }
  return std::nullopt;
}

namespace {

const SupportedLanguage* FindSupported(std::string_view code) {
  auto found =
      std::lower_bound(kSupported.begin(), kSupported.end(), code,
                       [](const SupportedLanguage& language, std::string_view c) { return language.code < c; });
  return found == kSupported.end() || found->code != code ? nullptr : &*found;
}

}  // namespace

bool IsSupportedLanguage(std::string_view code) { return FindSupported(code) != nullptr; }

std::optional<std::string_view> SnowballName(std::string_view code) {
  const SupportedLanguage* language = FindSupported(code);
  return language == nullptr ? std::nullopt : std::optional(language->snowball);
}

std::optional<std::string_view> Iso639_3(std::string_view code) {
  const SupportedLanguage* language = FindSupported(code);
  return language == nullptr ? std::nullopt : std::optional(language->iso639_3);
}

std::string LanguageName(std::string_view code) {
  const auto& known = KnownLanguages();
  auto found = known.find(code);
  return found == known.end() ? std::string(code) : found->second;
}

std::string_view ToString(LanguageEvidence evidence) {
  switch (evidence) {
    case LanguageEvidence::kNone:
      return "none";
    case LanguageEvidence::kStatistics:
      return "statistics";
    case LanguageEvidence::kShortWords:
      return "short_words";
    case LanguageEvidence::kHint:
      return "hint";
  }
  return "none";
}

DetectedLanguage DetectLanguage(std::string_view text, std::string_view hint) {
  const std::string clean = Normalize(Utf8Prefix(text, kMaxDetectedBytes));
  std::vector<std::string> words = Words(Fold(clean));
  std::erase_if(words, AllDigits);
  const std::string hinted = LanguageCode(hint).value_or("");

  const Statistical statistical = Cld2(clean);
  const bool short_text = words.size() <= kShortTextWords;
  if (!short_text && statistical.reliable) return {statistical.code, true, LanguageEvidence::kStatistics};

  std::array<size_t, kShortWordLanguages.size()> votes{};
  const auto& short_words = ShortWords();
  for (const auto& word : words) {
    auto found = short_words.find(word);
    if (found == short_words.end()) continue;
    for (size_t language = 0; language < votes.size(); ++language) {
      if ((found->second & (1u << language)) != 0) ++votes[language];
    }
  }
  const size_t best = *std::max_element(votes.begin(), votes.end());
  std::vector<std::string_view> leaders;
  for (size_t language = 0; language < votes.size() && best > 0; ++language) {
    if (votes[language] == best) leaders.push_back(kShortWordLanguages[language]);
  }
  if (leaders.size() == 1) {
    return {std::string(leaders.front()), 2 * best >= words.size(), LanguageEvidence::kShortWords};
  }
  auto leads = [&leaders](std::string_view code) {
    return std::find(leaders.begin(), leaders.end(), code) != leaders.end();
  };
  if (!hinted.empty() && leads(hinted)) return {hinted, false, LanguageEvidence::kShortWords};
  if (!statistical.code.empty() && leads(statistical.code)) {
    return {statistical.code, false, LanguageEvidence::kStatistics};
  }
  // A few words the lists do not know: the context knows better than CLD2, which calls "Pizza Margherita" English
  // with confidence; without a context its guess is all there is (a short message in Swedish, in Polish).
  if (!hinted.empty()) return {hinted, false, LanguageEvidence::kHint};
  if (statistical.reliable) return {statistical.code, false, LanguageEvidence::kStatistics};
  return {};
}

}  // namespace parley::knowledge
