#pragma once
// The shared inbox, for every role:
//   conversations   GET /api/conversations?channel_id=&platform=&status=&mode=&assignee=&waiting=&since=&until=&q=
//                   &cursor=&limit=   (each item also has unread_count and last_message; q: full-text search)
//                   GET /api/conversations/{id}   GET /api/conversations/{id}/messages
//                   POST /api/conversations/{id}/messages {"text"}   (a person's reply: same delivery path as the bot)
//                     or {"template": {"name", "language", "parameters"}} on WhatsApp (api/templates_api.h), which
//                     past the 24-hour window is the only reply WhatsApp takes (free text there answers 409)
//                   POST /api/conversations/{id}/assign {"user_id": n | null}   (agents: themselves only)
//                   PUT /api/conversations/{id}/mode {"mode": "bot" | "human"}
//                   POST /api/conversations/{id}/close   GET /api/conversations/{id}/traces
//   support queue   GET /api/support?status=open|resolved&priority=urgent|high|normal
//                   POST /api/support/{id}/resolve {"hand_back": bool}
//                   Items: {id, conversation_id, reason (a core/decision.h code), priority, draft: {"text",
//                   "sources": [{document_id, name, chunk_id, text, score}]} | null, status, resolved_by, …}

#include "api/inbox_api.h"
#include "api/route_table.h"
#include "api/templates_api.h"
#include "core/blocking_pool.h"
#include "core/clock.h"
#include "core/config.h"
#include "media/media_store.h"
#include "media/signed_url.h"
#include "store/store.h"

#include <functional>

namespace parley::api {

class ConversationsApi {
 public:
  // Tells the delivery path (app::ReplyWorker::SendOutbox) that a conversation has a person's reply queued.
  using Deliver = std::function<void(int64_t conversation_id)>;

  // Every reference must outlive this. `templates` answers the replies that send a WhatsApp template.
  // `media_signer` signs the links of messages' media (api/media_api.h); `media_files` keeps the files people send.
  ConversationsApi(const Config& config, store::Store& store, BlockingPool& pool, Deliver deliver,
                   TemplatesApi& templates, media::MediaStore& media_files, const media::UrlSigner& media_signer,
                   const Clock& clock = RealClock())
      : config_(config),
        store_(store),
        pool_(pool),
        deliver_(std::move(deliver)),
        templates_(templates),
        media_files_(media_files),
        media_signer_(media_signer),
        clock_(clock) {}

  void RegisterRoutes(RouteTable& routes);

 private:
  using Handler = boost::asio::awaitable<http::Response> (ConversationsApi::*)(const Principal& caller,
                                                                               const http::Request& request,
                                                                               const http::RouteContext& route);
  boost::asio::awaitable<http::Response> List(const Principal&, const http::Request&, const http::RouteContext&);
  boost::asio::awaitable<http::Response> Get(const Principal&, const http::Request&, const http::RouteContext&);
  boost::asio::awaitable<http::Response> Messages(const Principal&, const http::Request&, const http::RouteContext&);
  boost::asio::awaitable<http::Response> Reply(const Principal&, const http::Request&, const http::RouteContext&);
  // Reply's multipart form: a file with its caption (api/reply_file.h).
  boost::asio::awaitable<http::Response> ReplyWithFile(const Principal& caller, const http::Request& request,
                                                       const http::RouteContext& route, int64_t conversation_id);
  boost::asio::awaitable<http::Response> Assign(const Principal&, const http::Request&, const http::RouteContext&);
  boost::asio::awaitable<http::Response> SetMode(const Principal&, const http::Request&, const http::RouteContext&);
  boost::asio::awaitable<http::Response> Close(const Principal&, const http::Request&, const http::RouteContext&);
  boost::asio::awaitable<http::Response> Traces(const Principal&, const http::Request&, const http::RouteContext&);
  boost::asio::awaitable<http::Response> ListSupport(const Principal&, const http::Request&, const http::RouteContext&);
  boost::asio::awaitable<http::Response> Resolve(const Principal&, const http::Request&, const http::RouteContext&);

  const Config& config_;
  store::Store& store_;
  BlockingPool& pool_;
  Deliver deliver_;
  InboxApi inbox_{store_, pool_};  // Read markers, notes, save as Q&A, canned replies: registered with these routes.
  TemplatesApi& templates_;
  media::MediaStore& media_files_;
  const media::UrlSigner& media_signer_;
  const Clock& clock_;
};

// Reads the inbox filter from the query string (assignee=me is the caller); kInvalidArgument naming the bad
// parameter.
Result<store::ConversationFilter> ParseConversationFilter(const http::RouteContext& route, const Principal& caller);

boost::json::object SupportItemJson(const store::SupportItem& item);
// The JSON Schema of SupportItemJson's object, for the API reference (reason is an enum of every Reason code).
boost::json::object SupportItemSchema();

}  // namespace parley::api
