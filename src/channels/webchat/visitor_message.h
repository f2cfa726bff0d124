#pragma once
// A message of a visitor's thread as the widget reads it (WebchatMessage in the API reference): GET …/messages and
// the event stream (routes.h) give the same shape, a person's file with links signed at each read, so a reload of the
// page always has working ones. Pure: no I/O.

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>

#include "store/store.h"

namespace parley::channels::webchat {

// Signs a link to the tenant's stored media (PlatformServices::sign_media_link).
using MediaLinkSigner = std::function<std::string(int64_t tenant_id, std::string_view public_id, bool thumbnail)>;

// {"id", "role", "text", "created_at", "client_id", "media"}. role: "visitor", "assistant" (the bot) or "agent" (a
// person of the business); text: a file's caption (may be empty); client_id: the widget's id of the visitor's own
// message `visitor_id` posted, else null. media: null unless `m.media` holds its record (store/message_media.h,
// ShowsMedia), then {"type" (image, audio, video or document), "mime_type", "bytes" (0 while a visitor's upload is
// pending), "filename" (null when unknown), "status" (pending, ready, failed or refused: the record's), "url",
// "thumbnail_url"} with links `sign` makes now: url while the file is kept (null once it is not: pending, failed,
// removed after the retention period), thumbnail_url for an image with a thumbnail (else null).
boost::json::object VisitorMessageJson(const store::StoredMessage& m, std::string_view visitor_id,
                                       const MediaLinkSigner& sign);

}  // namespace parley::channels::webchat
