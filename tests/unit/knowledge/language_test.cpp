// Languages are ISO 639-1 codes; the Snowball names settings took before map to them; a customer's language is
// detected from short messages as well as long ones.

#include "knowledge/language.h"

#include "knowledge/text.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

namespace parley::knowledge {
namespace {

TEST(LanguageCodeTest, CodesAndSnowballNamesNameTheSameLanguage) {
  EXPECT_EQ(LanguageCode("en"), "en");
  EXPECT_EQ(LanguageCode("english"), "en");
  EXPECT_EQ(LanguageCode("French"), "fr");
  EXPECT_EQ(LanguageCode(" GERMAN "), "de");
  EXPECT_EQ(LanguageCode("dutch"), "nl");
  EXPECT_EQ(LanguageCode("portuguese"), "pt");
  EXPECT_EQ(LanguageCode("NL"), "nl");
  EXPECT_EQ(LanguageCode("pt-BR"), "pt");
  EXPECT_EQ(LanguageCode("en_GB"), "en");
  // Known without a stemmer: a customer may write in them, an assistant may answer in them.
  EXPECT_EQ(LanguageCode("ja"), "ja");
  EXPECT_EQ(LanguageCode("pl"), "pl");
  EXPECT_EQ(LanguageCode("he"), "he");

  for (const char* unknown : {"klingon", "xx", "", "un", "e", "englishh", "en-", "porter", "japanese"}) {
    EXPECT_EQ(LanguageCode(unknown), std::nullopt) << unknown;
  }
}

TEST(LanguageCodeTest, SupportedLanguagesHaveAStemmerAndIncludeTheBotMessageLanguages) {
  ASSERT_EQ(SupportedLanguages().size(), 28u);
  for (const auto& language : SupportedLanguages()) {
    EXPECT_EQ(LanguageCode(language.code), language.code);
    EXPECT_EQ(LanguageCode(language.snowball), language.code);
    EXPECT_EQ(SnowballName(language.code), language.snowball);
    // libstemmer knows the name: the stemmer keeps it instead of falling back to English.
    EXPECT_EQ(Stemmer(language.code).language(), language.snowball);
  }
  for (const char* code : {"en", "fr", "de", "es", "it", "pt", "nl"}) EXPECT_TRUE(IsSupportedLanguage(code)) << code;
  EXPECT_FALSE(IsSupportedLanguage("ja"));
  EXPECT_FALSE(IsSupportedLanguage("english"));
  EXPECT_EQ(SnowballName("pl"), std::nullopt);
}

TEST(LanguageCodeTest, ThreeLetterCodesAsFreeDictNamesItsDictionaries) {
  EXPECT_EQ(Iso639_3("fr"), "fra");
  EXPECT_EQ(Iso639_3("de"), "deu");
  EXPECT_EQ(Iso639_3("nl"), "nld");
  EXPECT_EQ(Iso639_3("el"), "ell");
  EXPECT_EQ(Iso639_3("ja"), std::nullopt);  // Known to CLD2, but without a stemmer.
  std::set<std::string_view> seen;
  for (const auto& language : SupportedLanguages()) {
    EXPECT_EQ(language.iso639_3.size(), 3u) << language.code;
    EXPECT_TRUE(seen.insert(language.iso639_3).second) << language.iso639_3;
  }
}

TEST(LanguageCodeTest, NamesForInstructions) {
  EXPECT_EQ(LanguageName("fr"), "French");
  EXPECT_EQ(LanguageName("pt"), "Portuguese");
  EXPECT_EQ(LanguageName("ja"), "Japanese");
  EXPECT_EQ(LanguageName("pl"), "Polish");
  EXPECT_EQ(LanguageName("zz"), "zz");
}

struct Case {
  const char* text;
  const char* code;
};

void ExpectDetected(const std::vector<Case>& cases, bool reliable) {
  for (const auto& [text, code] : cases) {
    DetectedLanguage detected = DetectLanguage(text);
    EXPECT_EQ(detected.code, code) << text << " (" << ToString(detected.evidence) << ")";
    EXPECT_EQ(detected.reliable, reliable) << text << " (" << ToString(detected.evidence) << ")";
  }
}

TEST(DetectLanguageTest, Questions) {
  ExpectDetected(
      {
          {"Where is your shop and when are you open on Sundays?", "en"},
          {"Où se trouve votre magasin et êtes-vous ouverts le dimanche ?", "fr"},
          {"Wo ist Ihr Geschäft und haben Sie am Sonntag geöffnet?", "de"},
          {"¿Dónde está su tienda y abren los domingos?", "es"},
          {"Dov'è il vostro negozio e siete aperti la domenica?", "it"},
          {"Onde fica a vossa loja e estão abertos ao domingo?", "pt"},
          {"Waar is jullie winkel en zijn jullie op zondag open?", "nl"},
          {"Combien coûte la location de chaussures pour une soirée ?", "fr"},
          {"Hoeveel kost het huren van schoenen?", "nl"},
          {"Quanto costa il noleggio delle scarpe?", "it"},
      },
      true);
}

TEST(DetectLanguageTest, ShortMessages) {
  // Thanks, greetings, yes and no, and two-to-four-word questions: CLD2 alone answers none of most of these.
  ExpectDetected(
      {
          {"merci!", "fr"},
          {"Merci beaucoup", "fr"},
          {"bonjour", "fr"},
          {"Oui", "fr"},
          {"danke", "de"},
          {"Danke schön!", "de"},
          {"Guten Tag", "de"},
          {"nein", "de"},
          {"gracias", "es"},
          {"Muchas gracias", "es"},
          {"Hola", "es"},
          {"Sí, gracias", "es"},
          {"grazie", "it"},
          {"Grazie mille", "it"},
          {"Buongiorno", "it"},
          {"ciao", "it"},
          {"obrigado", "pt"},
          {"Muito obrigada", "pt"},
          {"Olá", "pt"},
          {"não", "pt"},
          {"bedankt", "nl"},
          {"Dank je wel", "nl"},
          {"Goedemorgen", "nl"},
          {"nee", "nl"},
          {"thanks", "en"},
          {"Thank you!", "en"},
          {"hello", "en"},
          {"yes please", "en"},
          {"Is er parking?", "nl"},
          {"Queria reservar uma mesa", "pt"},
          {"Habt ihr Parkplätze?", "de"},
          {"Avez-vous un parking ?", "fr"},
          {"Tienen aparcamiento?", "es"},
          {"Avete parcheggio?", "it"},
      },
      true);
}

TEST(DetectLanguageTest, AHintBreaksTiesAndFillsSilence) {
  // "ja" is German, Dutch and Portuguese: the conversation's language decides, without claiming certainty.
  DetectedLanguage yes = DetectLanguage("ja", "nl");
  EXPECT_EQ(yes.code, "nl");
  EXPECT_FALSE(yes.reliable);
  EXPECT_EQ(DetectLanguage("Ja!", "de").code, "de");
  EXPECT_EQ(DetectLanguage("no", "it").code, "it");
  EXPECT_EQ(DetectLanguage("no", "es").code, "es");
  EXPECT_EQ(DetectLanguage("ja").code, "");

  // Accents are folded away before the lists are read: "sí" is "si", Spanish, Italian ("sì") and French.
  EXPECT_EQ(DetectLanguage("sí", "es").code, "es");
  EXPECT_EQ(DetectLanguage("sí", "it").code, "it");
  // "Quería reservar" and "Queria reservar": Spanish or Portuguese.
  EXPECT_EQ(DetectLanguage("Queria reservar", "pt").code, "pt");
  EXPECT_EQ(DetectLanguage("Queria reservar", "es").code, "es");

  // Words of no language the lists know: CLD2 calls "Pizza Margherita" English, the conversation knows better.
  DetectedLanguage dish = DetectLanguage("Pizza Margherita", "it");
  EXPECT_EQ(dish.code, "it");
  EXPECT_EQ(dish.evidence, LanguageEvidence::kHint);
  EXPECT_FALSE(DetectLanguage("Pizza Margherita").reliable);

  // Nothing to go on: the hint, flagged as such.
  for (const char* silent : {"👍", "ok", "42", "", "...", "12:30"}) {
    DetectedLanguage detected = DetectLanguage(silent, "french");
    EXPECT_EQ(detected.code, "fr") << silent;
    EXPECT_FALSE(detected.reliable) << silent;
    EXPECT_EQ(detected.evidence, LanguageEvidence::kHint) << silent;
    EXPECT_EQ(DetectLanguage(silent).code, "") << silent;
    EXPECT_EQ(DetectLanguage(silent).evidence, LanguageEvidence::kNone) << silent;
  }

  // The hint never overrides what the text says.
  EXPECT_EQ(DetectLanguage("gracias", "fr").code, "es");
  EXPECT_EQ(DetectLanguage("Hoeveel kost het huren van schoenen?", "de").code, "nl");
  // An unknown hint is no hint.
  EXPECT_EQ(DetectLanguage("ok", "klingon").code, "");
}

TEST(DetectLanguageTest, EnglishChatSpellingsAreEnglish) {
  // "wat" and "u" are Dutch words too: an English business's customer writing them is English, a Dutch sentence
  // around them stays Dutch.
  EXPECT_EQ(DetectLanguage("wat time is brekfast", "en").code, "en");
  EXPECT_EQ(DetectLanguage("r u open sundy", "en").code, "en");
  EXPECT_EQ(DetectLanguage("do u hav glutenfree bred").code, "en");
  EXPECT_EQ(DetectLanguage("wat kost een fiets", "en").code, "nl");
  EXPECT_EQ(DetectLanguage("Heeft u een parkeerplaats?", "en").code, "nl");
}

TEST(DetectLanguageTest, OtherLanguagesComeFromCld2) {
  DetectedLanguage swedish = DetectLanguage("Hej! Har ni öppet på söndag och kan jag boka ett bord för fyra personer?");
  EXPECT_EQ(swedish.code, "sv");
  EXPECT_TRUE(swedish.reliable);
  EXPECT_EQ(swedish.evidence, LanguageEvidence::kStatistics);
  EXPECT_EQ(DetectLanguage("Dzień dobry, czy mogę zarezerwować stolik na jutro wieczorem?").code, "pl");
  EXPECT_EQ(DetectLanguage("こんにちは、明日の予約はできますか？").code, "ja");
}

TEST(DetectLanguageTest, MostWordsDecideAMixedShortMessage) {
  DetectedLanguage mostly_french = DetectLanguage("merci, c'est parfait, thanks");
  EXPECT_EQ(mostly_french.code, "fr");
  // Names and products count as words: one known word among four unknown ones is a guess.
  DetectedLanguage guess = DetectLanguage("merci Jean-Baptiste Dupontel Lefebvre");
  EXPECT_EQ(guess.code, "fr");
}

TEST(DetectLanguageTest, LongAndBrokenTextIsHandled) {
  std::string long_text;
  while (long_text.size() < 20000) long_text += "Bonjour, je voudrais savoir si vous livrez à domicile le week-end. ";
  EXPECT_EQ(DetectLanguage(long_text).code, "fr");
  EXPECT_EQ(DetectLanguage("Gr\xFC\xDF"
                           "e aus M\xFCnchen, wir m\xF6"
                           "chten einen Tisch reservieren bitte")
                .code,
            "de");
}

}  // namespace
}  // namespace parley::knowledge
