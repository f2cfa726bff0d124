#pragma once
// The web chat widget's public API (docs/channels.md, "Web chat"), under /api/webchat/{public_id}:
//
//   GET  …/config     the channel's name, colour and texts per language                          (no token)
//   POST …/sessions   a new visitor: {"token", "visitor_id", "expires_at"}             (per-IP rate limit)
//   GET  …/messages   the visitor's thread, the last 100 messages, oldest first    (Authorization: Bearer)
//   POST …/messages   a visitor's message, stored through the webhooks' ingest path; idempotent on client_id
//                     (per-visitor and per-IP rate limits)
//   POST …/files      a visitor's file (multipart/form-data: file, client_id, text?), checked as every customer's
//                     file is and kept before its message is stored through the same path; refused from its header
//                     (token, per-visitor and per-IP files limits) before its body is read
//   GET  …/events     text/event-stream of the visitor's new messages (?token=, as EventSource sends no headers)
//   OPTIONS …         CORS preflight
//
// CORS: a request whose Origin is one of the channel's allowed origins is answered with
// Access-Control-Allow-Origin: <that origin> and Vary: Origin; another Origin is refused with 403 origin_not_allowed
// before anything is read or stored. A request without Origin (not from a browser) is served without CORS headers.
// Visitors are contacts of the channel whose platform id is their visitor id; their thread is read from the store
// (store::Store::ListContactThread), never from the tenant's event log, so a stream carries its visitor's messages
// only. The event bus (events/event_bus.h) only wakes the streams when the tenant's log grows, in whichever process
// committed (over Redis in scale-out), and every stream also reads again at each keep-alive.

#include <memory>

#include "channels/platform_routes.h"

namespace parley::channels::webchat {

// PlatformPlugin::make_routes.
std::unique_ptr<PlatformRoutes> MakeRoutes(const PlatformServices& services);

}  // namespace parley::channels::webchat
