#pragma once
// Which row of a price table or list a question is about. Price lists put one product per row and rows differ only
// by their key ("1 to 99 sides", "250 cards", "A0 (84 × 119 cm)", "Medium dogs (10 to 25 kg)"); every row shares the
// question's words, so word overlap cannot tell them apart and quoting the row above or below states a wrong price.
// The question's quantities and size codes can: "200 colour copies" falls in "100 to 499 sides", "my dog is 18kg" in
// "10 to 25 kg", "A1 poster" names "A1". A row whose key contradicts them is never quoted, and the retrieval
// reranker prefers the row whose key agrees.
//
// A row is a line "Key: value…" (a list item, or a table row as the chunker labels it: "Quantity: 1 to 99 sides;
// Black and white: €0.10; …", whose key is its first cell's value). Prices (€…) and times (8:00) are never keys.

#include <string>
#include <string_view>
#include <vector>

namespace parley::agent {

// The quantities and codes a question names: numbers with their units written or not ("18kg", "1,000", "a
// thousand", the two sides of "10x15"), and short letter-digit codes ("A4"); prices, times and percentages left out.
struct QuestionEntities {
  std::vector<double> numbers;
  std::vector<std::string> codes;  //!< Folded ("a4").
  bool empty() const { return numbers.empty() && codes.empty(); }
};
QuestionEntities EntitiesOf(std::string_view question);

enum class RowAgreement {
  kNone,         //!< Not a keyed row, or its key holds no quantity or code: nothing to compare.
  kMatches,      //!< The key holds one of the question's quantities (within its range) or codes.
  kContradicts,  //!< The key names quantities or codes, none of them the question's.
};

// Whether `line` is a keyed row and its key agrees with `question`. A question that names no quantity asks for one
// item ("price of a black and white copy"): it agrees with a quantity range that holds 1 and contradicts one that
// does not; exact numbers (sizes, pack counts) are compared only with numbers the question gives.
RowAgreement AgreeWithRow(const QuestionEntities& question, std::string_view line);

// Whether `line` is a keyed row ("Key: value…", key of at most a few words), whatever its key holds.
bool IsKeyedRow(std::string_view line);

// Whether one of `text`'s lines is a keyed row whose key holds a quantity or a code: a row of a table that other
// rows differ from by their key.
bool HasQuantityKey(std::string_view text);

// The agreement of a passage (its lines) with the question: kMatches when one of its rows matches, kContradicts
// when it has keyed rows with quantities or codes and every one of them contradicts, else kNone.
RowAgreement AgreeWithPassage(const QuestionEntities& question, std::string_view text);

// The share (0..1) of the question's quantities and codes that the best-agreeing keyed row of `text` holds in its
// key: "20x30 photo prints, I need 100" names 20, 30 and 100; "20 × 30 cm" holds two of them, "100 to 499 sides"
// one. 0 when no row agrees.
double RowMatchShare(const QuestionEntities& question, std::string_view text);

// `text` without its rows whose key contradicts the question: what a model's answer may draw its facts from, so a
// price copied from the row above the one asked about is a fact no passage supports.
std::string WithoutContradictedRows(const QuestionEntities& question, std::string_view text);

}  // namespace parley::agent
