#include "agent/support.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

namespace parley::agent {
namespace {

// The chunks of a small business's knowledge, as the development set's tenants have (4 to 30).
constexpr size_t kChunks = 20;

// The subject as the retrieve stage builds it, every stem held by the knowledge.
Subject Known(const std::string& question) {
  const std::vector<std::string> stems = SubjectStems(knowledge::ContentWords(question), "en");
  return KnownSubject(stems, std::vector<size_t>(stems.size(), 1), kChunks);
}

knowledge::Passage InSection(std::string heading_path, std::string text) {
  knowledge::Passage passage;
  passage.chunk.id = 7;
  passage.chunk.document_name = "inkwell_print_prices.md";
  passage.chunk.heading_path = std::move(heading_path);
  passage.chunk.text = std::move(text);
  return passage;
}

TEST(SupportTest, TheSubjectLeavesOutWordsThatOnlyAskForAFigureAndTheUnitOfARate) {
  EXPECT_EQ(SubjectStems(knowledge::ContentWords("what does a crown cost"), "en"), std::vector<std::string>{"crown"});
  EXPECT_EQ(SubjectStems(knowledge::ContentWords("how much is a full groom for a small dog pls"), "en"),
            (std::vector<std::string>{"full", "groom", "small", "dog"}));
  // "pages" is the unit of the rate asked ("per page") wherever it is written; 600 is a quantity (table_rows.h).
  EXPECT_EQ(SubjectStems(knowledge::ContentWords("if i print 600 pages in colour whats the price per page"), "en"),
            (std::vector<std::string>{"print", "colour"}));
  EXPECT_TRUE(SubjectStems(knowledge::ContentWords("how much?"), "en").empty());
  // The written form beside each stem, for an index that holds words as written.
  EXPECT_EQ(SubjectWords(knowledge::ContentWords("when are refunds paid"), "en"),
            (std::vector<std::string>{"refunds", "paid"}));
  // Verbs that frame what is asked about are no part of it.
  EXPECT_EQ(SubjectStems(knowledge::ContentWords("how do refunds work"), "en"), std::vector<std::string>{"refund"});
  EXPECT_EQ(SubjectStems(knowledge::ContentWords("do you offer aerial yoga"), "en"),
            (std::vector<std::string>{"aerial", "yoga"}));
}

TEST(SupportTest, WordsTheKnowledgeDoesNotHoldAreLeftOutUnlessItHoldsNoneOfThem) {
  const std::vector<std::string> stems = {"swim", "pool", "ther"};
  const Subject typo = KnownSubject(stems, {3, 2, 0}, kChunks);
  EXPECT_EQ(typo.stems, (std::vector<std::string>{"swim", "pool"}));
  EXPECT_FALSE(typo.unknown);
  const Subject corkage = KnownSubject({"corkag"}, {0}, kChunks);
  EXPECT_TRUE(corkage.stems.empty());
  EXPECT_TRUE(corkage.unknown);
  EXPECT_DOUBLE_EQ(SubjectSupport(corkage, "A late cancellation costs €5.", "", "en"), 0);
  EXPECT_DOUBLE_EQ(SubjectSupport(KnownSubject({}, {}, kChunks), "Anything at €5.", "", "en"), 1);
}

TEST(SupportTest, AFigureAboutSomethingElseIsNotQuoted) {
  const Subject crown = Known("what does a crown cost");
  EXPECT_DOUBLE_EQ(
      SubjectSupport(crown, "Conscious sedation is available at an extra cost of €150.", "Nervous patients", "en"), 0);
  EXPECT_EQ(
      SupportedQuote(crown, "Conscious sedation is available at an extra cost of €150.", "Nervous patients", "en"), "");
  // The row's section heading holds the subject for it.
  EXPECT_EQ(SupportedQuote(crown, "Porcelain: €650", "Crowns", "en"), "Porcelain: €650");
  // Of two sentences quoted, the one whose figure is about something else is left out; a sentence without a figure
  // stays.
  const Subject drop_in = Known("how much is a single drop in class");
  EXPECT_EQ(SupportedQuote(drop_in,
                           "A single drop-in class costs €18. On Saturday and Sunday classes run from 8:30 to 12:30 "
                           "only.",
                           "Prices", "en"),
            "A single drop-in class costs €18.");
  EXPECT_EQ(SupportedQuote(Known("do you have yoga mats"), "Mats are provided.", "", "en"), "Mats are provided.");
}

TEST(SupportTest, TheDocumentsNameAndOuterHeadingsLendNoWords) {
  const knowledge::Passage scanning =
      InSection("Inkwell Print & Copy › Scanning", "Scanning to PDF costs €0.20 per page, or €1 for large format.");
  EXPECT_EQ(SentenceContext(scanning), "Scanning");
  const Subject copies = Known("if i print 600 pages in black and white whats the price per page");
  EXPECT_LT(SubjectSupport(copies, scanning.chunk.text, SentenceContext(scanning), "en"), kMinSubjectSupport);
}

TEST(SupportTest, AHowLongQuestionTakesOnlyADuration) {
  EXPECT_TRUE(AsksDuration("how long does a repair take usually"));
  EXPECT_TRUE(AsksDuration("Combien de temps pour une réparation ?"));
  EXPECT_FALSE(AsksDuration("how much is a repair"));
  EXPECT_TRUE(StatesDuration("Standard delivery takes 3 to 5 working days."));
  EXPECT_TRUE(StatesDuration("A service takes about two hours."));
  EXPECT_FALSE(StatesDuration("The workshop takes its last repair drop-off at 17:30 on weekdays."));
  Subject repair = Known("how long does a repair take usually");
  repair.duration = true;
  EXPECT_DOUBLE_EQ(SubjectSupport(repair, "The last repair drop-off is at 17:30 on weekdays.", "", "en"), 0);
  EXPECT_DOUBLE_EQ(SubjectSupport(repair, "Most repairs are done within two days.", "", "en"), 1);
}

TEST(SupportTest, AModelMayTakeFiguresOnlyFromSentencesAboutWhatWasAsked) {
  const std::vector<knowledge::Passage> cited = {
      InSection("Clinic › Nervous patients",
                "We explain every step. Conscious sedation is available at an extra cost of €150."),
      InSection("Clinic › Crowns", "A porcelain crown costs €650 and takes two visits.")};
  const std::vector<std::string> supporting = SupportingText({Known("what does a crown cost")}, cited, "en");
  ASSERT_EQ(supporting.size(), 2u);
  EXPECT_EQ(supporting[0], "We explain every step.");
  EXPECT_EQ(supporting[1], "A porcelain crown costs €650 and takes two visits.");

  // The answer's sentence whose figure only the sedation sentence states is cut.
  const SubjectCut cut = CutOffSubject("A porcelain crown costs €650. Sedation is €150 extra.", supporting, "en");
  EXPECT_EQ(cut.text, "A porcelain crown costs €650.");
  EXPECT_EQ(cut.cut, 1u);
  // Nothing about the crown left: not sent.
  EXPECT_EQ(CutOffSubject("Sure! Sedation costs €150.", supporting, "en").text, "");
  // Nothing to cut: the answer as it was.
  const SubjectCut whole = CutOffSubject("Yes, a crown is €650.", supporting, "en");
  EXPECT_EQ(whole.text, "Yes, a crown is €650.");
  EXPECT_EQ(whole.cut, 0u);
}

TEST(SupportTest, APassageSharingOneWordOfASubjectTheKnowledgeLacksIsAboutSomethingElse) {
  // "shirts" is in no chunk of the print shop's knowledge: "print" alone is half of the subject.
  const std::vector<std::string> stems = SubjectStems(knowledge::ContentWords("do you print on t-shirts"), "en");
  const Subject shirts = KnownSubject(stems, {12, 0}, kChunks);
  ASSERT_EQ(shirts.unheld, std::vector<std::string>{"shirt"});
  const knowledge::Passage photo =
      InSection("Inkwell Print & Copy › Photo prints", "Size: 10 × 15 cm; 1 to 49 prints: €0.35");
  EXPECT_FALSE(CoversSubject(shirts, photo, "en"));
  // Every subject word held somewhere: nothing to judge here (SubjectSupport judges the figures).
  EXPECT_TRUE(CoversSubject(Known("price of photo prints"), photo, "en"));
  // Two of three words held by the passage: more than half.
  const Subject large = KnownSubject({"photo", "print", "glossi"}, {1, 12, 0}, kChunks);
  EXPECT_TRUE(CoversSubject(large, photo, "en"));
  // A Q&A pair (no chunk id) is the business's own answer.
  knowledge::Passage pair = photo;
  pair.chunk.id = 0;
  EXPECT_TRUE(CoversSubject(shirts, pair, "en"));
}

TEST(SupportTest, AWordThePassageWritesWithAHyphenIsNotMissing) {
  // No chunk holds "checkin" as a term (the index splits "check-in"): the passage holds it in another form.
  const std::vector<std::string> stems = SubjectStems(knowledge::ContentWords("luggage before checkin?"), "en");
  const Subject luggage = KnownSubject(stems, {1, 0}, kChunks);
  ASSERT_EQ(luggage.unheld, std::vector<std::string>{"checkin"});
  knowledge::Passage storage;
  storage.chunk.id = 3;
  storage.chunk.document_name = "hotel.md";
  storage.chunk.text = "We store your luggage free of charge before check-in.";
  EXPECT_TRUE(CoversSubject(luggage, storage, "en"));
  // "luggage" alone is half of the subject: not more than half.
  storage.chunk.text = "We store your luggage free of charge.";
  EXPECT_FALSE(CoversSubject(luggage, storage, "en"));
  // A hyphen at a word's edge joins nothing.
  storage.chunk.text = "We store your luggage free of charge before check -in.";
  EXPECT_FALSE(CoversSubject(luggage, storage, "en"));
}

TEST(SupportTest, ATranslatedQuestionIsAnsweredOnlyFromAPassageAboutItsFirmWords) {
  knowledge::Passage cards = InSection("Hotel Belvedere › Payment", "We accept Visa, Mastercard and cash.");
  cards.chunk.document_name = "hotel_belvedere.html";
  knowledge::Passage pets = InSection("Hotel Belvedere › Pets", "Dogs and cats are welcome for €15 per night.");
  pets.chunk.document_name = "hotel_belvedere.html";
  // "¿Se admiten perros en el hotel?" rendered "accept dog hotel": "accept" is weak (not firm); "hotel" names the
  // place (the document's name), so the passage must hold "dog".
  Subject dogs;
  dogs.stems = {"dog", "hotel"};
  dogs.firm = {"dog", "hotel"};
  EXPECT_FALSE(CoversFirmSubject(dogs, cards, "en"));
  EXPECT_TRUE(CoversFirmSubject(dogs, pets, "en"));
  // Only the place's name is firm: it is all there is to hold.
  Subject place;
  place.firm = {"hotel"};
  EXPECT_FALSE(CoversFirmSubject(place, cards, "en"));
  EXPECT_TRUE(CoversFirmSubject(place, InSection("Hotel Belvedere", "The hotel has 38 rooms."), "en"));
  // Nothing firm ("Was kostet er?", what does it cost): not answered alone.
  EXPECT_FALSE(CoversFirmSubject(Subject{}, pets, "en"));
  // Two of three firm words: more than half.
  Subject three;
  three.firm = {"dog", "cat", "parrot"};
  EXPECT_TRUE(CoversFirmSubject(three, pets, "en"));
  three.firm = {"dog", "parrot"};
  EXPECT_FALSE(CoversFirmSubject(three, pets, "en"));
}

// The subject of `question` as the retrieve stage builds it, with `unheld` the stems no chunk holds.
Subject HeldExcept(const std::string& question, const std::vector<std::string>& unheld,
                   const std::string& language = "en") {
  const std::vector<std::string> stems = SubjectStems(knowledge::ContentWords(question), language);
  std::vector<size_t> holding;
  for (const auto& stem : stems) holding.push_back(std::count(unheld.begin(), unheld.end(), stem) ? 0 : 1);
  return KnownSubject(stems, holding, kChunks);
}

TEST(SupportTest, AKindOrAnAttributeTheKnowledgeNeverNamesOfAThingItNamesIsNotAnswered) {
  // A studio that teaches yoga but never says "aerial"; a groomer whose shampoos have no brand in its pages.
  EXPECT_TRUE(
      AsksUnheldKind("do you offer aerial yoga", HeldExcept("do you offer aerial yoga", {"aerial"}), "en", "en"));
  EXPECT_TRUE(AsksUnheldKind("do you offer aerial yoga", HeldExcept("do you offer aerial yoga", {"aerial"}), "english",
                             "english"));
  EXPECT_TRUE(AsksUnheldKind("what brand of shampoo do you use",
                             HeldExcept("what brand of shampoo do you use", {"brand"}), "en", "en"));
  EXPECT_TRUE(
      AsksUnheldKind("what is the dentist's name", HeldExcept("what is the dentist's name", {"name"}), "en", "en"));
  // Every word held: nothing to judge.
  EXPECT_FALSE(AsksUnheldKind("do you offer aerial yoga", Known("do you offer aerial yoga"), "en", "en"));
  // The unheld word is not a kind of the held one: it comes after it ("return window": the knowledge says "30 days
  // to return"), or elsewhere in the question.
  EXPECT_FALSE(AsksUnheldKind("return window?", HeldExcept("return window?", {"window"}), "en", "en"));
  EXPECT_FALSE(AsksUnheldKind("how long will my pizza take to arrive",
                              HeldExcept("how long will my pizza take to arrive", {"arriv"}), "en", "en"));
  // Two known stems: a passage may hold both, and the answerability model judges it.
  EXPECT_FALSE(AsksUnheldKind("can i pay for a new bike in several payments",
                              HeldExcept("can i pay for a new bike in several payments", {"sever"}), "en", "en"));
  // A fragment of one or two letters is no kind ("b&w copies").
  EXPECT_FALSE(
      AsksUnheldKind("50 b&w copies how much each", HeldExcept("50 b&w copies how much each", {"b", "w"}), "en", "en"));
  // French puts a modifier after its head: the rule reads only languages that put it before.
  const Subject aerien = HeldExcept("yoga aérien ?", {"aerien"}, "fr");
  ASSERT_EQ(aerien.stems.size(), 1u);
  EXPECT_FALSE(AsksUnheldKind("yoga aérien ?", aerien, "fr", "fr"));
}

TEST(SupportTest, ARenderingWordByWordIsReadInTheCustomersWordOrder) {
  // "puncture repair how much" asked of a French cheese shop: "puncture" has no translation and no chunk holds it,
  // "repair" became "restaurer", which the shop's "titres-restaurant" holds.
  const std::vector<std::string> stems = SubjectStems(knowledge::ContentWords("puncture restaurer combien"), "fr");
  ASSERT_EQ(stems, (std::vector<std::string>{"punctur", "restaur"}));
  const Subject subject = KnownSubject(stems, {0, 1}, kChunks);
  EXPECT_TRUE(AsksUnheldKind("puncture restaurer combien", subject, "fr", "en"));
  // Read in French order, the unheld word would come before its head: no kind.
  EXPECT_FALSE(AsksUnheldKind("puncture restaurer combien", subject, "fr", "fr"));
}

TEST(SupportTest, AWordManyPassagesHoldWeighsLessInTheSubject) {
  // A print shop: nearly every chunk holds "print", two hold "file".
  const Subject subject = KnownSubject({"file", "print", "keep"}, {2, 25, 0}, 28);
  EXPECT_EQ(subject.stems, (std::vector<std::string>{"file", "print"}));
  ASSERT_EQ(subject.weights.size(), 2u);
  EXPECT_GT(subject.weights[0], 10 * subject.weights[1]);
}

TEST(SupportTest, AFigureBesideTheSentenceHoldingTheDistinctiveWordIsLeftOut) {
  const Subject files = KnownSubject({"file", "print", "keep"}, {2, 25, 0}, 28);
  const std::string quote =
      "A3 prints cost double the A4 price. Send your files by email or bring them on a USB stick; we print PDF, Word "
      "and image files.";
  EXPECT_EQ(FocusedQuote(files, quote, "en"),
            "Send your files by email or bring them on a USB stick; we print PDF, Word and image files.");
  // Both sentences hold the distinctive word: both stay.
  const std::string both = "Files are kept for 30 days. Send your files by email.";
  EXPECT_EQ(FocusedQuote(files, both, "en"), both);
  // A sentence without a figure states nothing that could belong to something else: it stays.
  const std::string plain = "We print on every paper. Send your files by email.";
  EXPECT_EQ(FocusedQuote(files, plain, "en"), plain);
  // One sentence, or none holding the subject: left whole.
  EXPECT_EQ(FocusedQuote(files, "A3 prints cost double the A4 price.", "en"), "A3 prints cost double the A4 price.");
  const std::string neither = "Open at 9:00. Closed at 18:00.";
  EXPECT_EQ(FocusedQuote(files, neither, "en"), neither);
}

TEST(SupportTest, AFigureBesideASentenceHoldingMoreStaysWhenItHoldsAWordFewChunksHold) {
  // A hotel: "cancel" is in 2 of 8 chunks, "change" in 1; neither is a word most of the knowledge holds.
  const Subject cancel = KnownSubject({"plan", "chang", "cancel"}, {0, 1, 2}, 8);
  const std::string quote =
      "Flexible rates can be cancelled free of charge until 48 hours before arrival. Non-refundable rates are 10% "
      "cheaper but cannot be cancelled, changed or refunded.";
  EXPECT_EQ(FocusedQuote(cancel, quote, "en"), quote);
}

TEST(SupportTest, AQuestionAskingWhenIsAnsweredByAMomentNotAnAmount) {
  EXPECT_TRUE(AsksMoment("when is my card debited"));
  EXPECT_TRUE(AsksMoment("if i reserve bread until when do you keep it"));
  EXPECT_TRUE(AsksMoment("if i order this morning when will it be shipped"));
  EXPECT_TRUE(AsksMoment("what time is check-in"));
  EXPECT_TRUE(AsksMoment("c'est quand l'atelier accord mets et vins ?"));
  EXPECT_TRUE(AsksMoment("Und wann habt ihr geöffnet?"));
  EXPECT_FALSE(AsksMoment("where can I park my car when I come to the clinic"));
  EXPECT_FALSE(AsksMoment("how long does delivery take"));

  EXPECT_TRUE(StatesMoment("Your card is charged when your order is shipped, not when it is placed."));
  EXPECT_TRUE(StatesMoment("Check-in is from 15:00 and check-out until 11:00."));
  EXPECT_TRUE(StatesMoment("Les arrivées se font le samedi entre 16 h et 19 h."));
  EXPECT_TRUE(StatesMoment("Standard delivery takes 3 to 5 working days and costs €4.90."));
  EXPECT_TRUE(StatesMoment("We open at 7am."));
  EXPECT_FALSE(StatesMoment("Gift cards are valid for one year and can be used in several orders."));
  EXPECT_FALSE(StatesMoment("Digital gift cards are available from €20 to €300 and are sent by email."));

  Subject card = KnownSubject({"card", "debit"}, {3, 0}, 12);
  card.moment = true;
  EXPECT_DOUBLE_EQ(SubjectSupport(card, "Digital gift cards are available from €20 to €300.", "Gift cards", "en"), 0);
  EXPECT_DOUBLE_EQ(SubjectSupport(card, "Your card is charged when your order is shipped.", "Payment", "en"), 1);
}

TEST(SupportTest, HowLateAsksWhenAndLateSaysNothingOfWhat) {
  const std::string question = "how late can i cancel my session without being charged";
  EXPECT_TRUE(AsksMoment(question));
  EXPECT_TRUE(AsksMoment("how early can we check in"));
  const std::vector<std::string> words = WithoutAskingPhrases(question, knowledge::ContentWords(question));
  EXPECT_EQ(words, (std::vector<std::string>{"cancel", "session", "without", "charged"}));
  // "late" is what is asked about when no "how" asks with it.
  EXPECT_EQ(WithoutAskingPhrases("is late check-out possible", knowledge::ContentWords("is late check-out possible")),
            knowledge::ContentWords("is late check-out possible"));

  const std::vector<std::string> stems = SubjectStems(words, "en");
  Subject session = KnownSubject(stems, std::vector<size_t>(stems.size(), 1), kChunks);
  session.moment = AsksMoment(question);
  // The sentence saying until when is quoted; the fee for cancelling later says no moment.
  const std::string until = "You can cancel a booking without penalty up to 12 hours before it starts.";
  EXPECT_EQ(SupportedQuote(session, until + " If you cancel later, a €8 late fee is charged.", "Cancelling", "en"),
            until);
}

TEST(SupportTest, AQuestionAskingHowMuchIsAnsweredByAnAmount) {
  EXPECT_TRUE(AsksAmount("how much is express?"));
  EXPECT_TRUE(AsksAmount("Was kostet ein Vollschnitt?"));
  EXPECT_TRUE(AsksAmount("combien coûte la livraison"));
  EXPECT_TRUE(AsksAmount("how many people are in a class"));
  EXPECT_FALSE(AsksAmount("can I pay with paypal"));

  EXPECT_TRUE(StatesAmount("Express delivery costs €12.90."));
  EXPECT_TRUE(StatesAmount("Delivery is free for members."));
  EXPECT_TRUE(StatesAmount("Le petit-déjeuner est compris."));
  EXPECT_FALSE(StatesAmount("We accept Visa, Mastercard, American Express, PayPal, Apple Pay and Klarna."));

  Subject express = Known("how much is express");
  express.amount = true;
  EXPECT_FALSE(StatesKindAsked(express, "We accept Visa, Mastercard, American Express, PayPal, Apple Pay and Klarna."));
  EXPECT_TRUE(StatesKindAsked(express, "Express delivery arrives the next working day and costs €12.90."));
  // A question asking for neither kind: any answer may do.
  EXPECT_TRUE(StatesKindAsked(Known("can i pay with paypal"), "We accept PayPal."));
}

TEST(SupportTest, ANameHoldingADigitStatesNoAmount) {
  EXPECT_FALSE(StatesAmount("Prices are per side of A4 paper."));
  EXPECT_FALSE(StatesAmount("We play MP3 files from a USB stick."));
  EXPECT_TRUE(StatesAmount("Colour copies cost 40 cents a side."));
  EXPECT_TRUE(StatesAmount("A3 prints cost double the A4 price."));
  EXPECT_TRUE(StatesAmount("Delivery within 48h."));
  Subject copies = Known("price per side for 300 colour copies");
  copies.amount = true;
  EXPECT_FALSE(StatesKindAsked(copies, "Prices are per side of A4 paper."));
  EXPECT_TRUE(StatesKindAsked(copies, "Quantity: 100 to 499 sides; Colour: €0.40"));
}

TEST(SupportTest, TheDaysOfTheWeekASentenceNames) {
  constexpr unsigned kMonday = 1, kTuesday = 2, kWednesday = 4, kThursday = 8, kFriday = 16, kSaturday = 32,
                     kSunday = 64;
  EXPECT_EQ(DaysNamed("are you open on sundays"), kSunday);
  EXPECT_EQ(DaysNamed("We are open Monday to Friday from 9:30 to 19:00 and Saturday from 9:00 to 17:00."),
            kMonday | kTuesday | kWednesday | kThursday | kFriday | kSaturday);
  EXPECT_EQ(DaysNamed("Postnatal classes take place on Tuesday and Thursday mornings."), kTuesday | kThursday);
  EXPECT_EQ(DaysNamed("Dinner is served Friday–Sunday."), kFriday | kSaturday | kSunday);
  EXPECT_EQ(DaysNamed("La boutique est ouverte du mardi au samedi."),
            kTuesday | kWednesday | kThursday | kFriday | kSaturday);
  EXPECT_EQ(DaysNamed("Wir haben Montag bis Mittwoch geöffnet."), kMonday | kTuesday | kWednesday);
  EXPECT_EQ(DaysNamed("Abrimos de segunda-feira a quarta-feira."), kMonday | kTuesday | kWednesday);
  EXPECT_EQ(DaysNamed("We stay open until 21:00 on weekdays."), kMonday | kTuesday | kWednesday | kThursday | kFriday);
  EXPECT_EQ(DaysNamed("Reservations are recommended at the week-end."), kSaturday | kSunday);
  EXPECT_EQ(DaysNamed("Classes run every day."), 127u);
  EXPECT_EQ(DaysNamed("Nous sommes ouverts tous les jours."), 127u);
  // Two days a comma or "and" separates are two days, not a range.
  EXPECT_EQ(DaysNamed("Closed Monday, Friday."), kMonday | kFriday);
  // No day: nothing; and a word that only looks like one ("the sun", "the second floor") is none.
  EXPECT_EQ(DaysNamed("Sun cream is sold at the desk, on the segunda floor."), 0u);
  EXPECT_EQ(DaysNamed("Check-in is from 15:00."), 0u);
}

TEST(SupportTest, AFigureForOtherDaysThanTheOneAskedIsNotAboutIt) {
  Subject sunday = Known("r u open sunday");
  sunday.days = DaysNamed("r u open sunday");
  EXPECT_DOUBLE_EQ(SubjectSupport(sunday, "During the exam period we stay open until 21:00 on weekdays.", "", "en"), 0);
  EXPECT_DOUBLE_EQ(SubjectSupport(sunday, "Day: Monday to Friday; Hours: 8:00 to 19:00", "Opening hours", "en"), 0);
  EXPECT_DOUBLE_EQ(
      SubjectSupport(sunday, "We are open Tuesday to Saturday from 7:00 to 18:30, and on Sunday from 8:00 to 13:00.",
                     "", "en"),
      1);
  // A sentence naming no day is judged by its words alone.
  EXPECT_DOUBLE_EQ(SubjectSupport(sunday, "We are open until 21:00.", "", "en"), 0.5);
  // A question naming no day: a sentence naming some is judged by its words alone.
  EXPECT_DOUBLE_EQ(SubjectSupport(Known("when are you open"), "Open on weekdays until 21:00.", "", "en"), 1);

  // With a model: the hours of other days support no figure of its answer, which is not sent.
  const std::vector<knowledge::Passage> cited = {
      InSection("Shop › Opening hours", "During the exam period we stay open until 21:00 on weekdays.")};
  const std::vector<std::string> supporting = SupportingText({sunday}, cited, "en");
  ASSERT_EQ(supporting.size(), 1u);
  EXPECT_EQ(supporting[0], "");
  EXPECT_EQ(CutOffSubject("During the exam period we stay open until 21:00 on weekdays.", supporting, "en").text, "");
}

TEST(SupportTest, AListIsCutIntoItsItems) {
  EXPECT_EQ(ListItems("Members also get free returns, early access to sales and a birthday discount of 15%.", "en"),
            (std::vector<std::string>{"Members also get free returns", "early access to sales",
                                      "a birthday discount of 15%."}));
  EXPECT_EQ(
      ListItems("We rent city bikes at €15 per day, electric bikes at €35 per day and tandems at €40 per day.", "en")
          .size(),
      3u);
  EXPECT_EQ(ListItems("Nous vendons du comté, du brie et du roquefort à 4 €.", "fr").size(), 3u);
  // A row is no list: its conjunction is not in its last part.
  EXPECT_TRUE(ListItems("Small dogs (up to 10 kg): bath and brush €35, full groom €50", "en").empty());
  // "and" between two numbers joins a range, not items.
  EXPECT_TRUE(ListItems("Ask for our free shuttle, which runs between 8:00 and 20:00.", "en").empty());
  // Commas inside parentheses cut nothing.
  EXPECT_TRUE(
      ListItems("Full service (bike stripped, bearings regreased, wheels trued and cables replaced): €129.", "en")
          .empty());
  EXPECT_TRUE(ListItems("A pack of 10 classes costs €150 and is valid for four months.", "en").empty());
}

TEST(SupportTest, AFigureOfAnotherItemOfAListIsNotAboutWhatWasAsked) {
  const std::string club = "Members also get free returns, early access to sales and a birthday discount of 15%.";
  const Subject returns = Known("are returns free");
  EXPECT_TRUE(FigureOfAnotherItem(returns, club, "en"));
  EXPECT_DOUBLE_EQ(SubjectSupport(returns, club, "Northwind Club", "en"), 0);
  // Its items about what was asked still answer it, without the other item's figure.
  EXPECT_EQ(SupportedQuote(returns, "Joining the Northwind Club is free. " + club, "Northwind Club", "en"),
            "Joining the Northwind Club is free. Members also get free returns and early access to sales.");
  EXPECT_EQ(ItemsAbout(returns, club, "en"), "Members also get free returns and early access to sales.");
  // No item left holds the subject, or the figure is the first item's (which carries the verb): nothing.
  EXPECT_EQ(ItemsAbout(Known("are returns free"), "Sales are early, birthdays bring 15% and gifts are wrapped.", "en"),
            "");
  EXPECT_EQ(ItemsAbout(Known("is there a birthday discount"), club, "en"), "");
  // The birthday discount is what is asked about.
  EXPECT_FALSE(FigureOfAnotherItem(Known("is there a birthday discount"), club, "en"));
  // One of the items holding a figure is about the subject: the sentence states it.
  const std::string rent =
      "We rent city bikes at €15 per day, electric bikes at €35 per day and tandems at €40 per day.";
  EXPECT_FALSE(FigureOfAnotherItem(Known("how much to rent an electric bike"), rent, "en"));
  // An item naming nothing of its own continues the one before it: nothing to judge.
  EXPECT_FALSE(FigureOfAnotherItem(Known("is there a shuttle"),
                                   "Breakfast is served in the garden room, on weekdays and at 7:00.", "en"));
  // No list: the sentence is judged whole (SubjectSupport).
  EXPECT_FALSE(FigureOfAnotherItem(returns, "Returns cost €3.50.", "en"));
}

TEST(SupportTest, AQuoteHoldingNothingOfTheSubjectIsAboutSomethingElse) {
  // "Aussi" only adds a question: the subject of "vous vendez du vin aussi ?" is the wine.
  EXPECT_EQ(SubjectStems(knowledge::ContentWords("vous vendez du vin aussi ?"), "fr"),
            (std::vector<std::string>{"vend", "vin"}));
  const Subject wine = KnownSubject({"vend", "vin"}, {0, 1}, kChunks);
  const std::string shipping = "Nous expédions aussi des colis partout en France métropolitaine.";
  EXPECT_FALSE(HoldsSubject(wine, shipping, "Livraison", "fr"));
  EXPECT_TRUE(HoldsSubject(wine, "Un atelier d'accord mets et vins a lieu un samedi par mois.", "Ateliers", "fr"));
  // The section's heading says what its sentences are about.
  EXPECT_TRUE(HoldsSubject(wine, "Nous en avons trois.", "Nos vins", "fr"));
  // A question naming nothing the knowledge holds has nothing to hold.
  EXPECT_TRUE(HoldsSubject(KnownSubject({}, {}, kChunks), shipping, "", "fr"));
}

TEST(SupportTest, ASentenceTwoQuotesOfABurstHoldIsSentOnce) {
  std::set<std::string> sent;
  EXPECT_EQ(UnsentSentences("Bring a padlock. Towels can be rented.", sent), "Bring a padlock. Towels can be rented.");
  EXPECT_EQ(UnsentSentences("Towels can be rented. Showers are free.", sent), "Showers are free.");
  EXPECT_EQ(UnsentSentences("Bring a padlock.", sent), "");
  // A quote none of whose sentences was sent keeps its form, line breaks included.
  EXPECT_EQ(UnsentSentences("Lockers:\nsmall or large", sent), "Lockers:\nsmall or large");
}

TEST(SupportTest, SentencesAreCutAtTheirEndAndAtLineBreaks) {
  EXPECT_EQ(SplitSentences("Open at 9. Closed on 1.5 days!\nPrices: €3.50 per page"),
            (std::vector<std::string>{"Open at 9.", "Closed on 1.5 days!", "Prices: €3.50 per page"}));
  EXPECT_TRUE(SplitSentences("  \n ").empty());
}

}  // namespace
}  // namespace parley::agent
