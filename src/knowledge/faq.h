#pragma once
// Q&A pairs: the key under which a question is matched "exactly or normalized": its content words, folded
// (case, accents, Unicode forms), without stop words or punctuation, deduplicated and sorted, so "What are your
// opening hours?" and "opening hours" share a key.

#include "store/knowledge_store.h"

#include <string>
#include <string_view>
#include <vector>

namespace parley::knowledge {

std::string FaqKey(std::string_view question);

// A NewFaq with each question trimmed and keyed; empty questions dropped.
store::NewFaq MakeFaq(const std::vector<std::string>& questions, std::string answer);

}  // namespace parley::knowledge
