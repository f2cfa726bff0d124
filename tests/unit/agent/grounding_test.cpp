#include "agent/grounding.h"

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <string>
#include <vector>

namespace parley::agent {
namespace {

namespace json = boost::json;

std::vector<std::string> Texts(const FactCheck& check) {
  std::vector<std::string> texts;
  for (const Fact& fact : check.unsupported) texts.push_back(fact.text);
  return texts;
}

// Each answer states the passage's facts in another form, or another language: all must pass.
TEST(CheckFactsTest, TheSameFactsWrittenOtherwisePass) {
  const std::vector<std::string> passage = {
      "Prices: a birthday cake for 10 people costs €39,50. Delivery is 1,200 metres free. Discount: 15 % for "
      "students. We are open Monday to Saturday from 9:00 to 18:00, and on Sunday 8:00 to 13:00. Closed on "
      "12/03 for the Spring fair. Write to hello@bakery.example.com or call +33 1 23 45 67 89. Book on "
      "https://www.bakery.example.com/orders. Ask for Marco at Le Fournil."};
  for (const char* answer : {
           "A cake for 10 people is 39.50 EUR.",
           "Un gâteau pour 10 personnes coûte 39,50 €.",
           "It costs EUR 39.50 for ten people.",
           "Delivery is free within 1200 metres.",
           "Delivery is free within 1 200 metres.",
           "Students get 15% off.",
           "We open at 9 am and close at 6 pm.",
           "Nous sommes ouverts de 9h à 18h du lundi au samedi.",
           "Wir haben sonntags von 8 bis 13 Uhr geöffnet.",
           "We're open on Wednesday until 6:00 p.m.",
           "We are closed on 12 March.",
           "We are closed on March 12th.",
           "Nous sommes fermés le 12 mars.",
           "Cerramos el 12 de marzo.",
           "Write to hello@bakery.example.com.",
           "Call 01 23 45 67 89.",
           "Order at bakery.example.com/orders or on www.bakery.example.com.",
           "Marco at Le Fournil will help you.",
       }) {
    SCOPED_TRACE(answer);
    const FactCheck check = CheckFacts(answer, passage);
    EXPECT_TRUE(check.supported()) << ::testing::PrintToString(Texts(check));
    EXPECT_GT(check.checked, 0u);
  }
}

TEST(CheckFactsTest, AChangedFactFails) {
  const std::vector<std::string> passage = {
      "A birthday cake for 10 people costs €39,50. We are open Monday to Saturday from 9:00 to 18:00. Closed on "
      "12/03. Write to hello@bakery.example.com or call +33 1 23 45 67 89. See https://bakery.example.com/orders. "
      "Ask for Marco."};
  const std::vector<std::pair<const char*, const char*>> cases = {
      {"A cake for 10 people is €45.", "45"},
      {"A cake for 10 people is 39.90 EUR.", "39.90"},
      {"A cake for 10 people costs $39.50.", "39.50"},
      {"A cake for 12 people costs €39,50.", "12"},
      {"We close at 7 pm.", "7 pm"},
      {"We open at 10:00.", "10:00"},
      {"We are open on Sunday.", "sunday"},
      {"We are closed on 14 March.", "14 march"},
      {"Closed in April.", "april"},
      {"Write to contact@bakery.example.com.", "contact@bakery.example.com"},
      {"Call +33 1 98 76 54 32.", "+33 1 98 76 54 32"},
      {"See https://bakery.example.com/prices.", "https://bakery.example.com/prices"},
      {"Ask for Sophie.", "Sophie"},
      {"Students get 20% off.", "20"},
  };
  for (const auto& [answer, fact] : cases) {
    SCOPED_TRACE(answer);
    const FactCheck check = CheckFacts(answer, passage);
    ASSERT_FALSE(check.supported());
    EXPECT_EQ(Texts(check).front(), fact);
  }
}

TEST(CheckFactsTest, NumberFormatsAreReadAsTheirValue) {
  // Thousands separators and decimal commas, both ways.
  EXPECT_TRUE(CheckFacts("It costs 1.200,50 €.", {"Price: €1,200.50"}).supported());
  EXPECT_TRUE(CheckFacts("It costs 1,200.50 €.", {"Prix : 1 200,50 €"}).supported());
  EXPECT_TRUE(CheckFacts("It costs 1.200 €.", {"Prix : 1200 €"}).supported());
  EXPECT_FALSE(CheckFacts("It costs 1.250 €.", {"Prix : 1200 €"}).supported());
  // A bare number is supported by the same value with a unit; a unit the passage contradicts is not.
  EXPECT_TRUE(CheckFacts("It costs 39.", {"Price: €39"}).supported());
  EXPECT_FALSE(CheckFacts("It costs £39.", {"Price: €39"}).supported());
  // Numbers written as words in the passage.
  EXPECT_TRUE(CheckFacts("Delivery takes 3 days.", {"Delivery takes three days."}).supported());
}

TEST(CheckFactsTest, NamesAtASentenceStartAndGermanNounsAreNotNames) {
  const std::vector<std::string> passage = {"Puncture repair: €12."};
  EXPECT_TRUE(CheckFacts("Yes. Puncture repairs cost €12.", passage).supported());
  EXPECT_FALSE(CheckFacts("Our mechanic Paul repairs punctures for €12.", passage).supported());
  EXPECT_TRUE(CheckFacts("Die Reparatur eines Platten kostet 12 €.", passage, "de").supported());
  EXPECT_FALSE(CheckFacts("Die Reparatur kostet 15 €.", passage, "de").supported());
}

TEST(CheckFactsTest, AnAnswerWithoutFactsHasNothingToCheck) {
  const FactCheck check = CheckFacts("yes, dogs are welcome on the terrace.", {"Dogs are welcome on the terrace."});
  EXPECT_TRUE(check.supported());
  EXPECT_EQ(check.checked, 0u);
}

knowledge::Passage MakePassage(std::string document, std::string heading, std::string text) {
  knowledge::Passage passage;
  passage.chunk.document_name = std::move(document);
  passage.chunk.heading_path = std::move(heading);
  passage.chunk.text = std::move(text);
  return passage;
}

TEST(GroundingTest, NumbersThePassagesAndReadsTheModelsObject) {
  const std::vector<knowledge::Passage> sent = {MakePassage("bike_shop.html", "Prices › Repairs", "Puncture: €12."),
                                                MakePassage("bike_shop.html", "", "Open 9:00–18:00.")};
  EXPECT_EQ(NumberedPassages(sent),
            "[1] (bike_shop.html › Prices › Repairs) Puncture: €12.\n[2] (bike_shop.html) Open 9:00–18:00.");
  const ResponseSchema schema = GroundedAnswerSchema();
  EXPECT_EQ(schema.name, "grounded_answer");
  EXPECT_EQ(schema.schema.at("required"), json::array({"answer", "passage_ids"}));
  EXPECT_EQ(schema.schema.at("additionalProperties"), false);

  auto read = ReadGroundedAnswer(json::parse(R"({"answer": "€12.", "passage_ids": [1, "2"]})").as_object());
  ASSERT_TRUE(read.has_value());
  EXPECT_EQ(read->answer, "€12.");
  EXPECT_EQ(read->passage_ids, (std::vector<int64_t>{1, 2}));
  auto declined = ReadGroundedAnswer(json::parse(R"({"answer": null, "passage_ids": []})").as_object());
  ASSERT_TRUE(declined.has_value());
  EXPECT_FALSE(declined->answer.has_value());
  auto blank = ReadGroundedAnswer(json::parse(R"({"answer": "  ", "passage_ids": []})").as_object());
  ASSERT_TRUE(blank.has_value());
  EXPECT_FALSE(blank->answer.has_value());
  for (const char* bad :
       {R"({"passage_ids": []})", R"({"answer": 3, "passage_ids": []})", R"({"answer": "x", "passage_ids": "1"})",
        R"({"answer": "x", "passage_ids": [1.5]})", R"({"answer": "x", "passage_ids": ["one"]})"}) {
    SCOPED_TRACE(bad);
    EXPECT_FALSE(ReadGroundedAnswer(json::parse(bad).as_object()).has_value());
  }
}

TEST(GroundingTest, ChecksCitationsThenTheFactsOfTheCitedPassagesOnly) {
  const std::vector<knowledge::Passage> sent = {
      MakePassage("bike_shop.html", "Repairs", "Puncture repair: €12."),
      MakePassage("bike_shop.html", "Rental", "Tandems at €40 per day."),
  };
  auto check = [&](std::optional<std::string> answer, std::vector<int64_t> ids) {
    return CheckGrounding({std::move(answer), std::move(ids)}, sent);
  };
  EXPECT_EQ(check("A puncture repair is €12.", {1}).verdict, Grounding::kSupported);
  EXPECT_EQ(check("Réparation de crevaison : 12 €.", {1, 1}).cited, (std::vector<size_t>{0}));
  EXPECT_EQ(check(std::nullopt, {}).verdict, Grounding::kNoAnswer);
  EXPECT_EQ(check("A puncture repair is €12.", {}).verdict, Grounding::kNoCitation);
  EXPECT_EQ(check("A puncture repair is €12.", {3}).verdict, Grounding::kUnknownPassage);
  EXPECT_EQ(check("A puncture repair is €12.", {0}).verdict, Grounding::kUnknownPassage);
  // €40 is in passage 2, which the answer does not cite.
  const GroundingCheck wrong = check("A puncture repair is €40.", {1});
  EXPECT_EQ(wrong.verdict, Grounding::kUnsupportedFact);
  ASSERT_EQ(wrong.facts.unsupported.size(), 1u);
  EXPECT_EQ(wrong.facts.unsupported[0].kind, FactKind::kNumber);
  EXPECT_EQ(ToString(wrong.verdict), "unsupported_fact");
}

}  // namespace
}  // namespace parley::agent
