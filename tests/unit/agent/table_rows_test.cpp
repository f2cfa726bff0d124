#include "agent/table_rows.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace parley::agent {
namespace {

TEST(TableRowsTest, QuestionEntitiesAreQuantitiesAndCodesNotPricesOrTimes) {
  EXPECT_EQ(EntitiesOf("my dog is 18kg, how much is a bath?").numbers, std::vector<double>{18});
  EXPECT_EQ(EntitiesOf("price for a thousand business cards").numbers, std::vector<double>{1000});
  EXPECT_EQ(EntitiesOf("1,000 cards").numbers, std::vector<double>{1000});
  EXPECT_EQ(EntitiesOf("I need 60 prints 13x18").numbers, (std::vector<double>{60, 13, 18}));
  EXPECT_EQ(EntitiesOf("how much is an A0 poster").codes, std::vector<std::string>{"a0"});
  EXPECT_TRUE(EntitiesOf("how much is an A0 poster").numbers.empty());
  EXPECT_TRUE(EntitiesOf("is it under €20? open at 8:30 or 9am, 10% off").empty());
  EXPECT_TRUE(EntitiesOf("price of a black and white copy?").empty());
}

TEST(TableRowsTest, ARowAgreesWhenItsKeyHoldsTheQuestionsQuantityOrCode) {
  const auto copies = EntitiesOf("how much per page for 200 colour copies");
  EXPECT_EQ(AgreeWithRow(copies, "Quantity: 100 to 499 sides; Black and white: €0.08; Colour: €0.40"),
            RowAgreement::kMatches);
  EXPECT_EQ(AgreeWithRow(copies, "Quantity: 1 to 99 sides; Black and white: €0.10; Colour: €0.50"),
            RowAgreement::kContradicts);
  EXPECT_EQ(AgreeWithRow(copies, "Quantity: 500 sides or more; Black and white: €0.06; Colour: €0.30"),
            RowAgreement::kContradicts);
  EXPECT_EQ(AgreeWithRow(EntitiesOf("if i print 600 pages"), "Quantity: 500 sides or more; Colour: €0.30"),
            RowAgreement::kMatches);
  const auto poster = EntitiesOf("A1 poster on matt paper");
  EXPECT_EQ(AgreeWithRow(poster, "Size: A1 (59 × 84 cm); Matt paper: €18; Photo paper: €26"), RowAgreement::kMatches);
  EXPECT_EQ(AgreeWithRow(poster, "Size: A0 (84 × 119 cm); Matt paper: €28; Photo paper: €39"),
            RowAgreement::kContradicts);
  const auto dog = EntitiesOf("bath for a big labrador 35 kg");
  EXPECT_EQ(AgreeWithRow(dog, "- Large dogs (over 25 kg): bath and brush €60"), RowAgreement::kMatches);
  EXPECT_EQ(AgreeWithRow(dog, "- Small dogs (up to 10 kg): bath and brush €35"), RowAgreement::kContradicts);
  // A key without a quantity or code, or a sentence, says nothing.
  EXPECT_EQ(AgreeWithRow(dog, "- Cats: full groom €70"), RowAgreement::kNone);
  EXPECT_EQ(AgreeWithRow(dog, "We open at 9:00 and close at 18:00."), RowAgreement::kNone);
  EXPECT_EQ(AgreeWithRow(EntitiesOf("a crown"), "- Crown: from €650"), RowAgreement::kNone);
}

TEST(TableRowsTest, APassageAgreesThroughAnyOfItsRows) {
  const std::string list = "Prices:\n- Small dogs (up to 10 kg): €35\n- Medium dogs (10 to 25 kg): €45";
  EXPECT_EQ(AgreeWithPassage(EntitiesOf("a 4kg chihuahua"), list), RowAgreement::kMatches);
  EXPECT_EQ(AgreeWithPassage(EntitiesOf("my 40 kg dog"), list), RowAgreement::kContradicts);
  EXPECT_EQ(AgreeWithPassage(EntitiesOf("a big dog"), list), RowAgreement::kNone);
  EXPECT_TRUE(HasQuantityKey(list));
  const auto photos = EntitiesOf("20x30 photo prints, I need 100, price?");
  EXPECT_NEAR(RowMatchShare(photos, "Size: 20 × 30 cm; 1 to 49 prints: €3.50"), 2.0 / 3.0, 1e-9);
  EXPECT_NEAR(RowMatchShare(photos, "Quantity: 100 to 499 sides; Colour: €0.40"), 1.0 / 3.0, 1e-9);
  EXPECT_EQ(RowMatchShare(photos, "Scanning costs €0.20 per page."), 0);
  EXPECT_FALSE(HasQuantityKey("- Crown: from €650\nWe are open daily."));
}

}  // namespace
}  // namespace parley::agent
