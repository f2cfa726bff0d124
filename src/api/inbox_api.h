#pragma once
// What the dashboard's inbox does besides listing and answering conversations (api/conversations_api.h registers
// these routes with its own):
//   read marker     POST /api/conversations/{id}/read   (any role) → {"conversation_id", "unread_count",
//                   "last_message"}: one marker per conversation, shared by the tenant's people
//   private notes   POST /api/conversations/{id}/notes {"text"}   (any role) → the note as GET …/messages shows it,
//                   "type": "note" with "author" and "author_user_id"; never sent, never in the agent's history
//   save as Q&A     POST /api/conversations/{id}/messages/{message_id}/save-as-qa {"question"}   (owner, admin):
//                   a Q&A pair of the question and that outbound message's text, through POST /api/faq-qa's path
//   canned replies  GET /api/canned-replies?q=<shortcut prefix>   (any role)
//                   POST /api/canned-replies {"shortcut", "text"}   PUT/DELETE /api/canned-replies/{id}   (owner,
//                   admin); shortcuts are unique per tenant

#include "api/route_table.h"
#include "core/blocking_pool.h"
#include "store/inbox_store.h"
#include "store/store.h"

#include <boost/json.hpp>

namespace parley::api {

class InboxApi {
 public:
  // Every reference must outlive this.
  InboxApi(store::Store& store, BlockingPool& pool) : store_(store), pool_(pool) {}

  void RegisterRoutes(RouteTable& routes);

 private:
  using Handler = boost::asio::awaitable<http::Response> (InboxApi::*)(const Principal& caller,
                                                                       const http::Request& request,
                                                                       const http::RouteContext& route);
  boost::asio::awaitable<http::Response> MarkRead(const Principal&, const http::Request&, const http::RouteContext&);
  boost::asio::awaitable<http::Response> AddNote(const Principal&, const http::Request&, const http::RouteContext&);
  boost::asio::awaitable<http::Response> SaveAsQa(const Principal&, const http::Request&, const http::RouteContext&);
  boost::asio::awaitable<http::Response> ListCanned(const Principal&, const http::Request&, const http::RouteContext&);
  boost::asio::awaitable<http::Response> CreateCanned(const Principal&, const http::Request&,
                                                      const http::RouteContext&);
  boost::asio::awaitable<http::Response> UpdateCanned(const Principal&, const http::Request&,
                                                      const http::RouteContext&);
  boost::asio::awaitable<http::Response> DeleteCanned(const Principal&, const http::Request&,
                                                      const http::RouteContext&);

  store::Store& store_;
  BlockingPool& pool_;
};

// {"unread_count", "last_message": {"id", "text", "type", "direction", "created_at"} | null}, the fields each
// conversation of the inbox list carries besides ConversationJson's.
boost::json::object SummaryJson(const store::ConversationSummary& summary);
boost::json::object CannedReplyJson(const store::CannedReply& reply);

}  // namespace parley::api
