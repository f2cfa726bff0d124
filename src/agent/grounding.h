#pragma once
// Answers grounded in the business's passages. The model is shown numbered passages and must answer as structured
// output, {"answer": text | null, "passage_ids": [n, …]}, citing the passages it used or declining. Its answer is
// then checked against what it cites: every fact it states (numbers, prices, percentages, dates, times, weekdays,
// and names: proper nouns, e-mail addresses, phone numbers, links) must appear in the cited passages. Facts are
// compared after normalising their written form, so that a correct translation passes ("€39,50" in the passage,
// "39.50 EUR" in the answer; "18:00" and "6 pm"; "12 mars" and "March 12") and a changed number does not.
//
// Pure functions, no I/O: the answering stage builds the prompt with NumberedPassages and GroundedAnswerSchema,
// reads the reply with ParseJsonReply (agent/llm.h) then ReadGroundedAnswer, and escalates unless CheckGrounding
// says kSupported.

#include "agent/llm.h"
#include "core/error.h"
#include "knowledge/retriever.h"

#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace parley::agent {

// The response schema for a grounded answer (name "grounded_answer", strict: every property required, no others).
ResponseSchema GroundedAnswerSchema();

// The passages for the system message, one per line group, numbered from 1 in the given order:
// "[1] (document › heading) text". The ids the model cites are these numbers. Put it last in the system message
// (tests/fakes/fake_openai reads it there).
std::string NumberedPassages(const std::vector<knowledge::Passage>& passages);

struct GroundedAnswer {
  std::optional<std::string> answer;  //!< nullopt (or blank): the model found no answer in the passages.
  std::vector<int64_t> passage_ids;   //!< As cited: 1-based numbers of NumberedPassages.
};

// Reads the model's object: "answer" a string or null, "passage_ids" an array of integers (a number written as a
// string, "2", is accepted: small models do that). kInvalidArgument for any other shape.
Result<GroundedAnswer> ReadGroundedAnswer(const boost::json::object& reply);

// The day of the week a folded word names, Monday 1 to Sunday 7: its name in en, fr, de, es, it, pt or nl, singular
// or plural ("sundays", "sabados"), and with `abbreviations` the short forms passages use ("Mon–Sat", "sam.").
std::optional<int> Weekday(std::string_view folded_word, bool abbreviations);

enum class FactKind { kNumber, kTime, kDate, kWeekday, kEmail, kUrl, kPhone, kName };
std::string_view ToString(FactKind kind);  //!< "number", "time", …

struct Fact {
  FactKind kind = FactKind::kNumber;
  std::string text;  //!< As written in the answer ("€39,50", "6 pm", "Marco").
};

struct FactCheck {
  size_t checked = 0;             //!< Facts found in the answer.
  std::vector<Fact> unsupported;  //!< Those no cited passage states, in the answer's order.
  bool supported() const { return unsupported.empty(); }
};

// The facts of `answer` that none of `passages` states. `answer_language` (ISO 639-1, may be empty) only matters
// for German, whose common nouns are capitalised and so cannot be told from names: there capitalised words are not
// checked (e-mails, phones and links still are).
FactCheck CheckFacts(std::string_view answer, const std::vector<std::string>& passages,
                     std::string_view answer_language = "");

enum class Grounding {
  kSupported,        //!< An answer citing passages that state all its facts.
  kNoAnswer,         //!< The model declined (answer null or blank).
  kUnknownPassage,   //!< It cited a number that was not sent.
  kNoCitation,       //!< An answer citing nothing.
  kUnsupportedFact,  //!< A fact of the answer is in none of the cited passages.
};
std::string_view ToString(Grounding grounding);  //!< "supported", "no_answer", …

struct GroundingCheck {
  Grounding verdict = Grounding::kNoAnswer;
  std::vector<size_t> cited;  //!< 0-based indexes into the passages sent, deduplicated, in citation order.
  FactCheck facts;
};

// Validates `answer` against the passages that were sent (in NumberedPassages order). A passage's document name and
// heading count as part of it (a brand name in the title supports the brand name in the answer).
GroundingCheck CheckGrounding(const GroundedAnswer& answer, const std::vector<knowledge::Passage>& sent,
                              std::string_view answer_language = "");

}  // namespace parley::agent
