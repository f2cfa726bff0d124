#pragma once
// Texts in and out of the agent, free of I/O: a burst split into the questions it asks, and a reply checked for
// leaks and fitted to the platform (formatting, length).

#include "core/message.h"

#include <string>
#include <string_view>
#include <vector>

namespace parley::agent {

// The separate questions of a burst: one per line or per sentence ending in '?', or where a question follows another
// after a full stop or "and" ("do you have rye bread. also can I reserve one"), with fragments too short to stand
// alone (fewer than two content words) joined to their neighbour. At most `limit`; the burst itself when it holds
// one question or none.
std::vector<std::string> SplitQuestions(std::string_view burst, size_t limit = 4);

// The questions of a burst (SplitQuestions) made readable alone: a question after the first that refers back by a
// pronoun and names at most one thing of its own ("do you see small kids? is it free for them?", "Gibt es einen
// Parkplatz? Was kostet er?") is prefixed with the question before it, which names what the pronoun stands for;
// searched alone, it would match whatever passage holds its one word or states a price. `language` is the
// customer's (ISO 639-1); the pronouns of en, fr, de, es, it, pt and nl are known, other languages are left as
// they are.
std::vector<std::string> WithAntecedents(std::vector<std::string> questions, std::string_view language);

// True when `answer` reveals the system prompt (a 60-character run of it) or looks like a credential (API keys,
// bearer tokens, private keys).
bool LeaksSecrets(std::string_view answer, std::string_view system_prompt);

// Markdown turned into the platform's formatting: Markup::kChatMarkers' *bold*, _italic_, ~strike~, ```mono```
// (headings become bold lines, links "text (url)"); kPlain gets plain text.
std::string FormatForPlatform(std::string_view markdown, Markup markup);

// Characters as the platforms count them: the Unicode code points of valid UTF-8 `text`.
size_t CodePoints(std::string_view text);

// `text` split into messages of at most `limit` characters (Unicode code points), at sentence boundaries when
// possible, else at spaces, else anywhere; never an empty part.
std::vector<std::string> SplitMessage(std::string_view text, size_t limit);

}  // namespace parley::agent
