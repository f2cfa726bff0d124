#pragma once
// How the assistant's answer to a comment thread (store::Conversation::comment_on) goes out, under the tenant's
// AiSettings::comment_replies: under the comment for everyone, privately to its author, or both. What is said in
// public stays short (two sentences at most) and never holds a price, an e-mail address, a phone number or another
// number that looks personal: such an answer goes privately, and the public reply only invites the commenter there.
// Pure functions, no I/O.

#include "agent/settings.h"
#include "store/store.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace parley::app {

//! Instagram takes a private reply to a comment up to 7 days after it.
inline constexpr int64_t kPrivateReplyWindowMs = int64_t{7} * 24 * 3600 * 1000;

// Whether `text` holds what may not be said in public: an amount with a currency (a symbol, a code or its name), an
// e-mail address, or a run of 6 or more digits (a phone number, an order or card number), spaces and dashes aside.
bool HoldsPrivateDetail(std::string_view text);

// `text` cut to its first two sentences and at most `max_bytes` (at a word, with "…"), for a public reply.
std::string ShortForPublic(std::string_view text, size_t max_bytes = 300);

// The replies that answer `comment` (the newest comment of the burst; its platform id is the comment's) with
// `answer` (the agent's messages, whose texts are joined) under `mode`, in sending order: the private reply first, so
// that a public "we sent you a private message" is true when it shows. No private reply once kPrivateReplyWindowMs
// has passed since the comment at `now_ms` (then a public reply that would have invited there invites to write
// instead); none at all with kOff or an empty answer. `language` (ISO 639-1) picks the invitations' words (English
// for a language without them).
std::vector<store::OutboundDraft> RepliesToComment(const std::vector<store::OutboundDraft>& answer,
                                                   const store::StoredMessage& comment, agent::CommentReplies mode,
                                                   std::string_view language, int64_t now_ms);

}  // namespace parley::app
