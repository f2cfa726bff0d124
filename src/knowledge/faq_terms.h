#pragma once
// The words a FAQ question is matched on (knowledge/faq.h), private to the knowledge module: the kind of question
// its interrogative words ask, the families of words that ask the same thing across languages, the words that ask
// nothing, and how far a misspelling may go. Words are folded (knowledge/text.h: lower case, accents removed).

#include <string>
#include <string_view>
#include <vector>

namespace parley::knowledge::faq_terms {

// What a question asks for, from its interrogative words; kNone for a yes/no question or an unrecognised one.
enum class QuestionKind { kNone, kPlace, kTime, kAmount, kDuration, kPerson, kReason };

// The kind of the question whose folded words are `words` (English, French, German, Spanish, Italian, Portuguese,
// Dutch). Words that are also common otherwise (French "ou", "qui") count only as the question's first word.
QuestionKind KindOf(const std::vector<std::string>& words);

// The family a folded word belongs to ("#hours" for "time", "horaires", "opening"…), also within one edit for words
// of five letters or more (a typo); empty when none.
std::string_view FamilyOf(std::string_view word);

// Words that carry no content in a question beyond the stop words ("please", "much", "bonjour"…).
bool IsFiller(std::string_view word);

// Whether `a` and `b` (stems, or folded words) are close enough to be one word misspelt: both at least five bytes,
// the same first letter, and at most one edit apart (an insertion, deletion, substitution or swap of neighbours), two
// when both have eight or more.
bool WithinTypo(std::string_view a, std::string_view b);

}  // namespace parley::knowledge::faq_terms
