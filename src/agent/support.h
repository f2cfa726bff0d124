#pragma once
// Whether a sentence that states a fact is about what the customer asked. The worst failure is a confident wrong
// answer, and most of those quote a passage's sentence whose number is true of something else: "what does a crown
// cost" answered with the sedation fee, "600 pages in b&w" with the scanning price, "how much is a full groom for a
// small dog" asked of a coworking space with its dogs rule. The sentence shares the words that ask ("cost", "price",
// "how much", "per page"), not the thing asked about. So a sentence carrying a number (a price, a time, a quantity)
// may answer only when it, with its headings, holds enough of the question's subject: its content words other than
// those that only say what kind of answer is wanted.
//
// The offline answerer applies it to the sentences it quotes; with a model, an answer's facts are checked against
// the cited passages' sentences that pass it (plus those without a number), so a number true of another subject is
// unsupported, and an answer whose cited passages are about something else than a subject the knowledge partly
// lacks is not sent, figure or not (CoversSubject). Pure functions, no I/O.

#include "knowledge/retriever.h"

#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace parley::agent {

// The share of the question's subject a fact-bearing sentence must hold (with its headings) to state its fact.
// At 0.5 the thing asked about must be there when the question names one thing ("crown"), and half of it when the
// question names several ("full groom small dog"); chosen on the development set (docs/evaluation.md, 2026-12-06
// late evening), where a lower share lets the sedation fee answer "what does a crown cost" through "cost" alone.
inline constexpr double kMinSubjectSupport = 0.5;

// The sentences of `text`: cut after '.', '!' or '?' followed by a space or the end, and at every line break;
// trimmed, never empty.
std::vector<std::string> SplitSentences(std::string_view text);

// `quote` without the sentences (SplitSentences) already in `sent`, which then holds `quote`'s too: two questions of
// a burst quoting the same sentence (one that took its subject from the one before, two about one passage) send it
// once. `quote` as it is when none was sent before, its new sentences joined by spaces otherwise, empty when all were.
std::string UnsentSentences(std::string_view quote, std::set<std::string>& sent);

// The stems (in `language`) of `words` (a question's content words, ContentWords, spelling corrected) that name what
// is asked about: without the words that only ask for a price, a duration or a time ("price", "cost", "much",
// "long"), the unit of a rate ("per page", "per hour"), chat filler ("u", "pls") and numbers (table_rows.h compares
// those). Distinct, in order.
std::vector<std::string> SubjectStems(const std::vector<std::string>& words, std::string_view language);

// `words` (ContentWords of `question`, spelling corrected) without the word of an English phrase that asks when:
// "late" and "early" after "how" ("how late can I cancel", "how early can I check in") say what kind of answer is
// wanted, as "long" does in "how long", and nothing of what is asked about.
std::vector<std::string> WithoutAskingPhrases(std::string_view question, std::vector<std::string> words);

// For each of SubjectStems(`words`, `language`), in the same order, the first of `words` it is the stem of: an index
// may hold a word as written without its stem.
std::vector<std::string> SubjectWords(const std::vector<std::string>& words, std::string_view language);

// What a question asks about, as far as the knowledge searched can tell. A subject word no chunk holds (a typo left
// uncorrected, a word of another language, a filler) cannot tell one sentence from another and is left out; but when
// the question names a subject and the knowledge holds none of it ("corkage" at a yoga studio), no figure of that
// knowledge is about it.
struct Subject {
  std::vector<std::string> stems;  //!< The subject stems the knowledge holds.
  //! Parallel to `stems`: each one's IDF in the knowledge searched (knowledge::Idf). A word many passages hold
  //! ("print" at a print shop) says less about which sentence answers than one few hold ("files").
  std::vector<double> weights;
  std::vector<std::string> unheld;  //!< The subject stems no chunk of the knowledge holds.
  bool unknown = false;             //!< It names a subject, and the knowledge holds none of it.
  bool duration = false;            //!< It asks how long (AsksDuration).
  bool moment = false;              //!< It asks when (AsksMoment).
  bool amount = false;              //!< It asks how much or how many (AsksAmount).
  unsigned days = 0;                //!< The days of the week it names (DaysNamed), 0 for none.
  //! Offline, for a question translated word by word: its stems that say firmly what is asked (of `stems`, those of
  //! knowledge/term_translator.h TranslatedQuestion::firm). Empty otherwise.
  std::vector<std::string> firm;
};
// `stems` (SubjectStems) and, parallel to them, how many chunks of the knowledge hold each, of its `chunks` chunks.
Subject KnownSubject(const std::vector<std::string>& stems, const std::vector<size_t>& chunks_holding, size_t chunks);

// Whether `question` asks how long something takes or lasts ("how long", "combien de temps", "wie lange", "cuánto
// tiempo", "quanto tempo", "hoe lang"): a figure answers it only as a duration, so "how long does a repair take" is
// not answered by "the last drop-off is at 17:30".
bool AsksDuration(std::string_view question);

// Whether `sentence` states a duration: a number (in digits or a word) followed by a unit of time ("3 to 5 working
// days", "two hours", "48 h").
bool StatesDuration(std::string_view sentence);

// Whether `question` asks when something happens: "when" asking (first, or before a verb: "when is my card debited",
// "until when do you keep it", not "where do I park when I come"), "what time", "how late", and their forms in the
// languages of triage ("c'est quand", "wann", "à quelle heure", "hoe laat"). A point in time answers it, not an amount:
// "when is my card debited" is not answered by "gift cards are available from €20 to €300".
bool AsksMoment(std::string_view question);

// The days of the week `text` names, one bit each (Monday 1, Tuesday 2, … Sunday 64): day names in the languages of
// triage, singular or plural ("Sunday", "Sundays", "dimanche", "Sonntag", "domingo"…), "weekdays" (Monday to
// Friday), "weekend", every day ("daily", "every day", "seven days a week", "tous les jours", "täglich"…), and the
// days between two named ones ("Monday to Friday", "du mardi au samedi", "Montag bis Freitag", "Tuesday–Saturday").
// 0 when it names none. Abbreviations ("Mon", "Sat", "Sun") are not read: several are words of their own.
unsigned DaysNamed(std::string_view text);

// Whether `question` asks for an amount: a price, a fee, a quantity ("how much is express", "combien", "was kostet",
// "how many"). A figure answers it, or its absence ("free", "included"): "how much is express?" is not answered by
// "We accept Visa, Mastercard, American Express…".
bool AsksAmount(std::string_view question);

// Whether `text` states an amount: a number (a word that begins with a digit, or a number word), a currency sign, a
// multiple ("double", "half"), or that there is nothing to pay ("free", "included", "gratuit", "kostenlos"…). A
// digit inside a name ("A4 paper", "MP3") is no amount: "Prices are per side of A4 paper" does not say how much.
bool StatesAmount(std::string_view text);

// Whether `answer` states the kind of answer `subject`'s question asks for: a moment when it asks when, an amount
// when it asks how much; true when it asks for neither.
bool StatesKindAsked(const Subject& subject, std::string_view answer);

// Whether `sentence` states a point in time: a clock time ("14:00", "16 h", "6 pm"), a day, a part of a day or a
// month by name ("Saturday", "tomorrow", "morning"), a time counted from an event ("within 5 working days", "delivery
// takes 3 to 5 days", "after 30 days"; not "valid for one year", which says for how long), or the event it is tied to
// ("charged when your order is shipped", "once", "before", "until").
bool StatesMoment(std::string_view sentence);

// The context a passage's sentences are read with: its innermost heading, the section it belongs to ("Binding",
// "Medium dogs"). Outer headings and the document's name say what the whole document is about ("Inkwell Print &
// Copy"), and would lend their words to every sentence.
std::string SentenceContext(const knowledge::Passage& passage);

// Whether `sentence` states a number: a digit, or a currency sign.
bool StatesNumber(std::string_view sentence);

// The items of a list that `sentence` (in `language`) states, "A, B and C" or "A; B or C": cut at commas and
// semicolons outside parentheses, the last part at its conjunction ("and", "or"; "et", "ou"; "und", "oder"; …),
// unless that only joins two numbers ("between 8:00 and 20:00"). Trimmed. Empty when the sentence lists nothing: no
// comma or semicolon, or no conjunction in its last part ("bath and brush €35, full groom €50" is a row, not a list).
std::vector<std::string> ListItems(std::string_view sentence, std::string_view language);

// Whether every figure `sentence` states belongs to an item of its list (ListItems) that holds none of `subject`'s
// stems: "Members also get free returns, early access to sales and a birthday discount of 15%" states the birthday
// discount's 15%, not a figure about returns. A sentence that lists nothing, an item naming nothing of its own ("for
// €12", "20:00": it continues the item before) and an item holding a subject stem all say false. The item alone is
// read, without the section's heading: the heading is every item's, so it cannot tell which one a figure is about.
bool FigureOfAnotherItem(const Subject& subject, std::string_view sentence, std::string_view language);

// The share (0..1) of `subject` whose stems `sentence` or `context` (SentenceContext) hold; 1 when it has none
// (nothing to hold), 0 when it is unknown, 0 when it asks how long and `sentence` states no duration or when it asks
// when and `sentence` states no moment (StatesMoment), 0 when the figures it states are those of another item of
// its list (FigureOfAnotherItem), and 0 when it names days of the week (DaysNamed), none of them a day the question
// names: "open until 21:00 on weekdays" says nothing of Sunday's hours, as the row of another quantity says nothing
// of the quantity asked (table_rows.h).
double SubjectSupport(const Subject& subject, std::string_view sentence, std::string_view context,
                      std::string_view language);

// Whether `passage` (its text and SentenceContext) is about what was asked, when the question names something the
// knowledge never mentions. A subject word that no chunk holds after spelling correction ("shirts" at a print shop,
// "rabbits" at a dog groomer) is evidence that the business does not offer the thing, and a passage holding only the
// subject's other, common word ("print", "groom") is then about something else: the passage must hold more than half
// of the whole subject, the words no chunk holds counted as missing, unless the passage writes one with a hyphen
// ("checkin" / "check-in": the index splits it, the customer did not). True when every subject word is held somewhere
// (SubjectSupport then judges the figures), and for a Q&A pair's passage (no chunk id: the business's own answer).
// The validation of a model's answer applies it; the offline answerer does not, as its fitted answerability model
// already weighs such words (weighted coverage), and there the rule cost 0.08 of hit@3 on the development set for
// three wrong answers fewer (docs/evaluation.md, 2026-12-07).
bool CoversSubject(const Subject& subject, const knowledge::Passage& passage, std::string_view language);

// Whether `passage` (its text and SentenceContext) answers a question translated word by word: it holds more than
// half of `subject.firm`. A rendering word by word is partly guesswork (the knowledge picks each word's sense), and
// a passage matched through a weak word, or through the place's own name, is about something else: "¿Se admiten
// perros en el hotel?" rendered "accept dog hotel" matches the card-payment sentence through "accept" and "hotel".
// False when nothing is firm ("Was kostet er?": what does it cost): the question is not answered alone.
bool CoversFirmSubject(const Subject& subject, const knowledge::Passage& passage, std::string_view language);

// Whether `question` (as searched, stemmed in the knowledge's language `language`, its words in the order of
// `word_order`: the knowledge's language for a question searched as written, the customer's for one rendered word by
// word, which keeps the customer's order: "puncture repair" becomes "puncture restaurer") asks about a kind or an
// attribute of something the knowledge names only in general: of its subject, the knowledge holds one stem alone (H),
// and a word of at least three letters that no chunk holds after spelling correction (`subject.unheld`, U) names a kind
// of H, directly before it ("aerial yoga" at a yoga studio, "business cards" at a hotel), or an attribute of it, in
// English "the U of H" or "H's U" ("the brand of shampoo", "the dentist's name"). A passage found through H is then
// about H in general, and quoting it would answer what was not asked ("We teach vinyasa, hatha, yin and prenatal
// yoga"). The first form is read where a modifier comes before its head (English, German, Dutch); a word after H
// ("return window", where the knowledge says "30 days to return") is not, nor a question whose subject holds two known
// stems, which a passage may hold together. Words of one or two letters ("b&w", "3d") are fragments, not kinds.
bool AsksUnheldKind(std::string_view question, const Subject& subject, std::string_view language,
                    std::string_view word_order);

// `sentence` without the items of its list (ListItems) that state a figure, when those figures are all another
// item's (FigureOfAnotherItem) and an item left holds a stem of `subject`: "Members also get free returns, early
// access to sales and a birthday discount of 15%" asked "are returns free for club members" still answers "Members
// also get free returns and early access to sales.". Empty otherwise, and when the first item (which carries the
// sentence's verb) states a figure.
std::string ItemsAbout(const Subject& subject, std::string_view sentence, std::string_view language);

// `quote` (sentences of one passage) without the sentences that state a number and hold less than kMinSubjectSupport
// of `subject` with `context`, or with only their items about the subject (ItemsAbout) when their figures belong to
// their list's other items; empty when nothing is left. A sentence without a number stays: it states no figure that
// could belong to something else.
std::string SupportedQuote(const Subject& subject, std::string_view quote, std::string_view context,
                           std::string_view language);

// How much of the subject's weight, held by a quote's best sentence, a sentence stating a number must hold by its
// own words to be quoted beside it (FocusedQuote).
inline constexpr double kMinFocus = 0.5;

// `quote` (sentences of one passage, as QuoteAnswer chose them) without each sentence that states a number and holds,
// by its own words, less than kMinFocus of the subject's weight (Subject::weights) that the quote's best sentence
// holds, and none of its distinctive stems: those fewer than half of the knowledge's chunks hold (weight above
// knowledge::Idf of half the chunks, ln 2). The quote's sentences are chosen by how many of the question's words they
// share, and a word most of the knowledge holds ("print" at a print shop) brings in a figure about something else
// beside the sentence that holds the question's distinctive word: "do you keep my files after printing" quoted "A3
// prints cost double the A4 price" beside "Send your files by email…". A sentence holding a word few chunks hold
// ("cancel" at a hotel: "Flexible rates can be cancelled free of charge until 48 hours before arrival") is about what
// was asked even when another sentence holds more of it. The sentence's heading is not counted: it is the same for
// every sentence of the passage. A quote of one sentence, or whose sentences hold none of the subject, is left whole.
std::string FocusedQuote(const Subject& subject, std::string_view quote, std::string_view language);

// Whether `quote` (the sentences an offline answer quotes) or `context` (SentenceContext) holds a stem of `subject`;
// true when the subject has none. A passage found through words that do not say what is asked, a filler or a word
// many passages hold, is quoted for the sentences holding those words: "vous vendez du vin aussi ?" matched the
// shipping sentence through "aussi" ("Nous expédions aussi des colis…"), which says nothing of wine.
bool HoldsSubject(const Subject& subject, std::string_view quote, std::string_view context, std::string_view language);

// What a model's answer may take its facts from: of each passage, the sentences that state no number and those that
// state one and hold enough of one of `subjects` (each question's), each passage as one text (its sentences joined
// by newlines) in the given order; empty for a passage none of whose sentences passes.
std::vector<std::string> SupportingText(const std::vector<Subject>& subjects,
                                        const std::vector<knowledge::Passage>& passages, std::string_view language);

struct SubjectCut {
  std::string text;  //!< The answer without its sentences about something else; empty: nothing asked is answered.
  size_t cut = 0;    //!< Sentences left out.
};

// A model's `answer` (whose facts the cited passages state) without its sentences stating a fact (grounding.h
// CheckFacts) that `supporting` (SupportingText of the cited passages, each with its document's name and headings)
// does not state: a figure true of something else is cut, as the offline quote leaves out such a sentence. When a
// sentence is cut and no sentence left states a fact `supporting` states, the text is empty: what is left ("Yes!")
// answers nothing that was asked.
SubjectCut CutOffSubject(std::string_view answer, const std::vector<std::string>& supporting,
                         std::string_view answer_language);

}  // namespace parley::agent
