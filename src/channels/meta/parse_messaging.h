#pragma once
// What Instagram Messaging and Messenger share, both being Meta's Messenger Platform: the pieces of their
// entry[].messaging[] events read alike (referrals, reactions, ids for events without one), and so are the Send API's
// sender actions and answers. Network-free: it belongs to parley_channel_parsers.

#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "channels/channel.h"
#include "channels/meta/parse_json.h"
#include "core/message.h"

namespace parley::channels::meta {

// Parses a webhook body whose "object" must be `object` and calls `parse_entry` on each element of "entry", in a
// parse arena of its own. kInvalidArgument on malformed JSON, a wrong "object", a missing "entry", or the first
// error `parse_entry` recorded on the reader. Never throws.
using EntryParser = void (*)(FieldReader& read, const boost::json::object& entry, WebhookEvents& events);
Result<WebhookEvents> ParseEntries(std::string_view body, std::string_view object, EntryParser parse_entry);

// The `referral` object of `o` (an m.me or ig.me link's ref, an ad's id, title and image); nullopt without one.
std::optional<Referral> ReadReferral(FieldReader& read, const boost::json::object& o);

// An id for an event that carries none of its own (a reaction, a referral, an old postback), built from what
// identifies it, so Meta's retries de-duplicate: "kind:contact:timestamp[:extra]".
std::string SyntheticId(std::string_view kind, const UnifiedMessage& m, std::string_view extra = {});

// A `reaction` event ({"mid", "action", "emoji"}) from the customer in `base`, as a kReaction message; records an
// error on `read` when it names no message.
void ParseReaction(FieldReader& read, const boost::json::object& reaction, UnifiedMessage base, WebhookEvents& events);

// {"recipient":{"id":…},"sender_action":…} for "mark_seen", "typing_on" or "typing_off".
boost::json::object SenderActionBody(std::string_view recipient_id, std::string_view action);

// Decodes the Send API's answer to a POST /messages: on 2xx the id in message_id (empty for sender actions, whose
// answer is {"recipient_id":…}); otherwise Meta's error object (ParseGraphError).
SendResult ParseSendResponse(int http_status, std::string_view body);

}  // namespace parley::channels::meta
