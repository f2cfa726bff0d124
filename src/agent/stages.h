#pragma once
// The agent's deterministic stages, free of I/O so each is unit-tested on its own: triage rules, the extractive
// answerer, the grounding check and the platform fitting of an answer (length, formatting, leaks).

#include "core/decision.h"
#include "core/message.h"
#include "knowledge/retriever.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace parley::agent {

struct Triage {
  Decision decision = Decision::kAutoReply;
  Reason reason = Reason::kAnswered;  //!< For AUTO_REPLY: the burst is a question for the later stages.
};

// Rules in English and French: nothing to answer (empty, emoji or punctuation only, thanks/ok/bye) → IGNORE;
// spam (link farms, crypto/investment pitches) → IGNORE; asking for a person, complaints and legal threats →
// ESCALATE; a bare greeting → GREETING (answered with the greeting message, no retrieval); anything else →
// AUTO_REPLY.
Triage TriageMessage(std::string_view text);

// The separate questions of a burst: one per line or per sentence ending in '?', with fragments too short to stand
// alone (fewer than two content words) joined to their neighbour. At most `limit`; the burst itself when it holds
// one question or none.
std::vector<std::string> SplitQuestions(std::string_view burst, size_t limit = 4);

// The offline answer: the sentences of the best passage that share the most content stems with the question
// (in their original order, at most `max_sentences`), or the passage's start when none does.
std::string ExtractiveAnswer(std::string_view question, const knowledge::Passage& best, std::string_view language,
                             int max_sentences = 3);

// Share (0..1) of the answer's content stems found in the passages: how much of the answer they support.
double Support(std::string_view answer, const std::vector<knowledge::Passage>& passages, std::string_view language);

// True when `answer` reveals the system prompt (a 60-character run of it) or looks like a credential (API keys,
// bearer tokens, private keys).
bool LeaksSecrets(std::string_view answer, std::string_view system_prompt);

// Markdown turned into the platform's formatting: WhatsApp's *bold*, _italic_, ~strike~, ```mono``` (headings
// become bold lines, links "text (url)"); Instagram gets plain text.
std::string FormatForPlatform(std::string_view markdown, Platform platform);

// Characters as the platforms count them: the Unicode code points of valid UTF-8 `text`.
size_t CodePoints(std::string_view text);

// The platform's limit per message: WhatsApp 4096 characters, Instagram 1000.
size_t MessageLimit(Platform platform);

// `text` split into messages of at most `limit` characters (Unicode code points), at sentence boundaries when
// possible, else at spaces, else anywhere; never an empty part.
std::vector<std::string> SplitMessage(std::string_view text, size_t limit);

}  // namespace parley::agent
